import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { errorFromCode, OAuthError } from "../src/index.js";

describe("error hierarchy", () => {
  const cases: Array<[string, () => OAuthError, string]> = [
    ["TokenExpiredError", () => new core.TokenExpiredError(), "token_expired"],
    ["RefreshError", () => new core.RefreshError("invalid_grant", "grant revoked", { statusCode: 400 }), "invalid_grant"],
    ["TokenParseError", () => new core.TokenParseError("missing_id_token", "no id_token"), "missing_id_token"],
    ["SubjectMismatchError", () => new core.SubjectMismatchError("usr_a", "usr_b"), "subject_mismatch"],
    ["InsufficientScopeError", () => new core.InsufficientScopeError(), "insufficient_scope"],
    ["SessionExpiredError", () => new core.SessionExpiredError(), "session_expired"],
    ["UserBlockedError", () => new core.UserBlockedError(), "user_blocked"],
    ["AccountLinkingRequiredError", () => new core.AccountLinkingRequiredError(), "account_linking_required"],
    ["InteractionRequiredError", () => new core.InteractionRequiredError(), "interaction_required"],
    ["LoginRequiredError", () => new core.LoginRequiredError(), "login_required"],
    ["ConsentRequiredError", () => new core.ConsentRequiredError(), "consent_required"],
    ["StateMismatchError", () => new core.StateMismatchError(), "state_mismatch"],
    ["NoPendingLoginError", () => new core.NoPendingLoginError(), "no_pending_login"],
    ["IssuerMismatchError", () => new core.IssuerMismatchError("https://a", "https://b"), "issuer_mismatch"],
    ["DiscoveryError", () => new core.DiscoveryError("bad"), "discovery_error"],
    ["JwksError", () => new core.JwksError("bad"), "jwks_error"],
    ["NetworkError", () => new core.NetworkError("offline"), "network_error"],
    ["InvalidResponseError", () => new core.InvalidResponseError("html"), "invalid_response"],
  ];

  it.each(cases)("%s is an OAuthError with its stable code", (name, make, code) => {
    const error = make();
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.error).toBe(code);
  });

  it("keeps the description, status code and cause", () => {
    const cause = new Error("socket hang up");
    const error = new core.RefreshError("invalid_grant", "grant request is invalid", { statusCode: 400, cause });
    expect(error).toMatchObject({ errorDescription: "grant request is invalid", statusCode: 400, cause });
  });

  it("SubjectMismatchError names both subjects", () => {
    expect(new core.SubjectMismatchError("usr_a", "usr_b")).toMatchObject({ expectedSub: "usr_a", actualSub: "usr_b" });
  });

  it("ConfigurationError is a caller mistake: a TypeError with its code, never a protocol error", () => {
    const error = new core.ConfigurationError("issuerUrl", "is required");
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ name: "ConfigurationError", error: "configuration_error" });
  });

  it("ConfigurationError names the option", () => {
    const error = new core.ConfigurationError("redirectUri", "must be an absolute URL");
    expect(error.option).toBe("redirectUri");
    expect(error.message).toContain("redirectUri");
  });

  it("login_required and consent_required are kinds of InteractionRequiredError", () => {
    expect(new core.LoginRequiredError()).toBeInstanceOf(core.InteractionRequiredError);
    expect(new core.ConsentRequiredError()).toBeInstanceOf(core.InteractionRequiredError);
  });
});

describe("errorFromCode()", () => {
  it.each([
    ["session_expired", core.SessionExpiredError],
    ["user_blocked", core.UserBlockedError],
    ["account_linking_required", core.AccountLinkingRequiredError],
    ["interaction_required", core.InteractionRequiredError],
    ["login_required", core.LoginRequiredError],
    ["consent_required", core.ConsentRequiredError],
    ["insufficient_scope", core.InsufficientScopeError],
  ])("maps %s to its class", (code, cls) => {
    const error = errorFromCode(code, "why", { statusCode: 400 });
    expect(error).toBeInstanceOf(cls);
    expect(error).toMatchObject({ error: code, errorDescription: "why", statusCode: 400 });
  });

  it("keeps an unknown code unchanged on a plain OAuthError", () => {
    const error = errorFromCode("access_denied", "user cancelled");
    expect(error.constructor).toBe(OAuthError);
    expect(error.error).toBe("access_denied");
  });

  it("maps a refused refresh to RefreshError, keeping the code", () => {
    const error = errorFromCode("invalid_grant", "revoked", { refresh: true, statusCode: 400 });
    expect(error).toBeInstanceOf(core.RefreshError);
    expect(error).toMatchObject({ error: "invalid_grant", statusCode: 400 });
  });

  it("is not fooled by codes that name Object.prototype members", () => {
    expect(errorFromCode("constructor", undefined).constructor).toBe(OAuthError);
    expect(errorFromCode("__proto__", undefined).constructor).toBe(OAuthError);
  });
});
