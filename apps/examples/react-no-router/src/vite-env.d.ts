/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The AuthPI issuer. Default: the local dev IdP. */
  readonly VITE_AUTHPI_ISSUER?: string;
}
