// Every rule is under the root class, so nothing leaks into the app; the resets on the root
// and on controls keep the app's own element rules (`button { … }`) from leaking in.
export const ROOT = "authpi-devtools";

export const css = `
.${ROOT}{all:initial;position:fixed;bottom:12px;z-index:2147483000;display:flex;flex-direction:column;align-items:flex-end;gap:8px;font:12px/1.45 ui-sans-serif,system-ui,-apple-system,"Segoe UI",sans-serif;color:#e6e8eb;color-scheme:dark}
.${ROOT}[data-position=bottom-right]{right:12px}
.${ROOT}[data-position=bottom-left]{left:12px;align-items:flex-start}
.${ROOT} *,.${ROOT} *::before,.${ROOT} *::after{box-sizing:border-box;font:inherit;color:inherit;margin:0;padding:0;letter-spacing:normal;text-transform:none}
.${ROOT} :focus-visible{outline:2px solid #7cc4ff;outline-offset:2px}
.${ROOT} button{all:unset;box-sizing:border-box;cursor:pointer;border-radius:6px;font:inherit}
.${ROOT} .${ROOT}-toggle{display:inline-flex;align-items:center;gap:6px;padding:6px 12px;background:#1b2330;border:1px solid #3a4556;box-shadow:0 2px 8px rgba(0,0,0,.35);font-weight:600;color:#e6e8eb}
.${ROOT} .${ROOT}-toggle:hover{background:#243044}
.${ROOT} .${ROOT}-dot{width:8px;height:8px;border-radius:50%;background:#8a94a3}
.${ROOT} .${ROOT}-dot[data-status=authenticated]{background:#3fcf8e}
.${ROOT} .${ROOT}-dot[data-status=loading]{background:#f5c451}
.${ROOT} .${ROOT}-dot[data-status=error]{background:#ff6b6b}
.${ROOT} .${ROOT}-panel{width:min(460px,calc(100vw - 24px));max-height:min(640px,calc(100vh - 64px));overflow:auto;background:#11161d;border:1px solid #3a4556;border-radius:8px;box-shadow:0 8px 28px rgba(0,0,0,.45)}
.${ROOT} .${ROOT}-panel:focus{outline:none}
.${ROOT} .${ROOT}-header{position:sticky;top:0;display:flex;align-items:center;justify-content:space-between;padding:8px 12px;background:#1b2330;border-bottom:1px solid #3a4556}
.${ROOT} h2{font-size:13px;font-weight:700}
.${ROOT} h3{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.06em;color:#9aa6b8;margin-bottom:6px}
.${ROOT} .${ROOT}-close{padding:2px 8px;border:1px solid #3a4556}
.${ROOT} .${ROOT}-close:hover{background:#243044}
.${ROOT} section{padding:10px 12px;border-bottom:1px solid #232c39}
.${ROOT} dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 12px}
.${ROOT} dt{color:#9aa6b8}
.${ROOT} dd{min-width:0;overflow-wrap:anywhere}
.${ROOT} code,.${ROOT} pre,.${ROOT} .${ROOT}-mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px}
.${ROOT} code{padding:0 3px;border-radius:3px;background:#1f2835}
.${ROOT} pre{max-height:220px;overflow:auto;padding:8px;border-radius:6px;background:#0a0e13;white-space:pre-wrap;overflow-wrap:anywhere}
.${ROOT} ul{list-style:none}
.${ROOT} .${ROOT}-muted{color:#8a94a3}
.${ROOT} .${ROOT}-log{max-height:180px;overflow:auto}
.${ROOT} table{width:100%;border-collapse:collapse}
.${ROOT} th{text-align:left;font-weight:600;color:#9aa6b8;padding:2px 6px 4px 0}
.${ROOT} td{padding:2px 6px 2px 0;vertical-align:top;border-top:1px solid #1c2430}
.${ROOT} [data-outcome=refreshed],.${ROOT} [data-outcome=adopted]{color:#3fcf8e}
.${ROOT} [data-outcome=retrying]{color:#f5c451}
.${ROOT} [data-outcome=failed]{color:#ff6b6b}
.${ROOT} .${ROOT}-fields{display:grid;grid-template-columns:max-content 1fr;gap:6px 10px;align-items:center;margin-bottom:8px}
.${ROOT} input,.${ROOT} select{width:100%;padding:4px 6px;border:1px solid #3a4556;border-radius:5px;background:#0a0e13;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.${ROOT} .${ROOT}-verdict{display:block;padding:6px 8px;border-radius:6px;background:#1b2330;border-left:3px solid #8a94a3}
.${ROOT} .${ROOT}-verdict[data-allowed=true]{border-left-color:#3fcf8e}
.${ROOT} .${ROOT}-verdict[data-allowed=false]{border-left-color:#ff6b6b}
`;
