// The panel whatever NODE_ENV says: for a staging build or a production support session.
export { AuthPIDevtools, type AuthPIDevtoolsProps } from "./devtools.js";
