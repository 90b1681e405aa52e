import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// Runs on the packages' sources (the `@authpi/source` condition), like apps/demo. The dev IdP
// matches redirect URIs exactly, so the port is fixed and a busy one is an error.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["@authpi/source", ...defaultClientConditions] },
  server: { host: "127.0.0.1", port: 5184, strictPort: true },
  preview: { host: "127.0.0.1", port: 5184, strictPort: true },
});
