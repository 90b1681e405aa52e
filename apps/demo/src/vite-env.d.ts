/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The AuthPI issuer, e.g. https://idp.authpi.com/i_xxx. Default: the local dev IdP. */
  readonly VITE_AUTHPI_ISSUER?: string;
  /** The SPA client's id. Default: the dev IdP's cli_dev_demo. */
  readonly VITE_AUTHPI_CLIENT_ID?: string;
}
