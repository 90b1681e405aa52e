// Build-time settings (Vite inlines VITE_* variables). The defaults are the
// dev IdP's, so `pnpm dev` needs no configuration; see README.md for a real tenant.
export const issuerUrl = import.meta.env.VITE_AUTHPI_ISSUER || "http://127.0.0.1:4000/i_dev";
export const clientId = import.meta.env.VITE_AUTHPI_CLIENT_ID || "cli_dev_demo";
