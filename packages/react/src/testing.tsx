// @authpi/react/testing: test your components with no IdP.
export { MockAuthPIProvider, type MockAuthPIProviderProps } from "./mock-provider.js";
export { createTestAgent, type TestAgentOptions } from "./test-agent.js";
