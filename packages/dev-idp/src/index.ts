export { startDevIdp, type DevIdp } from "./server.js";
export type { DevIdpOptions } from "./options.js";
export type { SigningAlg } from "./keys.js";
export { seededUsers, type DevIdpUser } from "./users.js";
export { scriptedLogin, signInWith } from "./scripted-login.js";
export { HttpBrowser } from "./http-browser.js";
