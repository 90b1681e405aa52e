// Guards the React 18 / 19 matrix of the devtools and devtools-react18 projects: each must
// really load the React it claims, one copy of it, shared with @authpi/react's provider, or
// the suite would silently test one version twice.
import { screen } from "@testing-library/react";
import { useState, version as reactVersion } from "react";
import { version as domVersion } from "react-dom";
import { expect, it } from "vitest";
import { renderStrict } from "./render.js";

it("runs on the React major this project is for", () => {
  expect(reactVersion.split(".")[0]).toBe(process.env.REACT_MAJOR);
  expect(domVersion).toBe(reactVersion);
});

it("@testing-library/react renders with that same copy of React (a hook would throw with two)", () => {
  function Version() {
    const [version] = useState(reactVersion);
    return <p>{version}</p>;
  }
  renderStrict(<Version />);
  expect(screen.getByText(reactVersion)).toBeTruthy();
});
