import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The demo runs on the packages' TypeScript sources (their `@authpi/source`
// export condition): editing packages/* shows up here at once, no build step.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["@authpi/source", ...defaultClientConditions] },
  server: {
    // The dev IdP only allows the exact redirect URI http://127.0.0.1:5173/callback
    // (and CORS from that origin), so the demo must not drift to localhost or to
    // another port: a busy port is an error, not a silent 5174.
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
  },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
});
