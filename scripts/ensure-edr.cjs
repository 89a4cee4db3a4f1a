#!/usr/bin/env node
// Hardhat 3 runs on EDR, whose native binding (@nomicfoundation/edr-<platform>) declares `engines: node >= 22`.
// npm running on an older Node silently drops that optional package, so every install checks for it here and,
// when it is missing, installs the one for this platform with the project's pinned Node (node_modules/.bin/node).
"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");

const root = path.resolve(__dirname, "..");

// Installed as a dependency of another project (the library and bindings only): that project runs its own Hardhat.
if (root.split(path.sep).includes("node_modules")) process.exit(0);

function bindingLoads() {
  try {
    execFileSync(pinnedNode(), ["-e", "require('@nomicfoundation/edr')"], { cwd: root, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function pinnedNode() {
  const bin = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
  return fs.existsSync(bin) ? bin : process.execPath;
}

function isMusl() {
  if (process.platform !== "linux") return false;
  const report = process.report && process.report.getReport();
  return !(report && report.header && report.header.glibcVersionRuntime);
}

function bindingPackage() {
  const edrDir = path.dirname(require.resolve("@nomicfoundation/edr", { paths: [root] }));
  const edrManifest = JSON.parse(fs.readFileSync(path.join(edrDir, "package.json"), "utf8"));
  const optional = Object.keys(edrManifest.optionalDependencies || {});
  let suffix = `${process.platform}-${process.arch}`;
  if (process.platform === "linux") suffix += isMusl() ? "-musl" : "-gnu";
  if (process.platform === "win32") suffix += "-msvc";
  const name = optional.find((candidate) => candidate === `@nomicfoundation/edr-${suffix}`);
  if (!name) throw new Error(`EDR publishes no native binding for ${suffix}`);
  return `${name}@${edrManifest.optionalDependencies[name]}`;
}

if (bindingLoads()) process.exit(0);

const spec = bindingPackage();
console.log(`ensure-edr: installing ${spec} with Node ${execFileSync(pinnedNode(), ["--version"]).toString().trim()}`);
const npmCli = process.env.npm_execpath;
const npmArgs = ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", spec];
if (npmCli && npmCli.endsWith(".js")) {
  execFileSync(pinnedNode(), [npmCli, ...npmArgs], { cwd: root, stdio: "inherit" });
} else {
  execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", npmArgs, { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
}
if (!bindingLoads()) {
  console.error(`ensure-edr: ${spec} was installed but @nomicfoundation/edr still does not load`);
  process.exit(1);
}
