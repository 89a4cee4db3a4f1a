#!/usr/bin/env node
// Hardhat 3 runs on EDR, whose native binding (@nomicfoundation/edr-<platform>) declares `engines: node >= 22`.
// npm running on an older Node silently drops that optional package, so every install of the project (`prepare`)
// checks for it here and, when it is missing, installs the one for this platform with the project's pinned Node
// (node_modules/.bin/node).
// `npm install <pkg>` runs no `prepare` of the project but drops the binding too, so hardhat.config.ts calls
// `ensureEdrBinding()` as well: every Hardhat command restores it when it is missing (a file check otherwise).
"use strict";
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");

const root = path.resolve(__dirname, "..");

// Installed as a dependency of another project (the library and bindings only): that project runs its own Hardhat.
const installedAsDependency = root.split(path.sep).includes("node_modules");

function pinnedNode() {
  const bin = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
  return fs.existsSync(bin) ? bin : process.execPath;
}

function bindingLoads() {
  try {
    execFileSync(pinnedNode(), ["-e", "require('@nomicfoundation/edr')"], { cwd: root, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function isMusl() {
  if (process.platform !== "linux") return false;
  const report = process.report && process.report.getReport();
  return !(report && report.header && report.header.glibcVersionRuntime);
}

/** The binding package of this platform, with the version EDR asks for, and EDR's folder. */
function bindingPackage() {
  const edrDir = path.dirname(require.resolve("@nomicfoundation/edr", { paths: [root] }));
  const edrManifest = JSON.parse(fs.readFileSync(path.join(edrDir, "package.json"), "utf8"));
  const optional = Object.keys(edrManifest.optionalDependencies || {});
  let suffix = `${process.platform}-${process.arch}`;
  if (process.platform === "linux") suffix += isMusl() ? "-musl" : "-gnu";
  if (process.platform === "win32") suffix += "-msvc";
  const name = optional.find((candidate) => candidate === `@nomicfoundation/edr-${suffix}`);
  if (!name) throw new Error(`EDR publishes no native binding for ${suffix}`);
  return { name, version: edrManifest.optionalDependencies[name], edrDir };
}

/** Whether the binding package is on disk where EDR looks for it (no process started). */
function bindingPresent() {
  const { name, edrDir } = bindingPackage();
  try {
    require.resolve(`${name}/package.json`, { paths: [edrDir] });
    return true;
  } catch {
    return false;
  }
}

function installBinding() {
  const { name, version } = bindingPackage();
  const spec = `${name}@${version}`;
  const nodeVersion = execFileSync(pinnedNode(), ["--version"]).toString().trim();
  console.error(`ensure-edr: installing ${spec} with Node ${nodeVersion}`);
  const npmArgs = ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", spec];
  const npmCli = process.env.npm_execpath;
  if (npmCli && npmCli.endsWith(".js")) {
    execFileSync(pinnedNode(), [npmCli, ...npmArgs], { cwd: root, stdio: "inherit" });
  } else {
    // npm's own shebang finds `node` on the PATH: put the pinned one first.
    const env = { ...process.env, PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}` };
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    execFileSync(npm, npmArgs, { cwd: root, stdio: "inherit", env, shell: process.platform === "win32" });
  }
  return spec;
}

/** Installs EDR's binding for this platform when it is missing. Cheap when it is there. */
function ensureEdrBinding() {
  if (installedAsDependency || bindingPresent()) return;
  installBinding();
  if (!bindingPresent()) throw new Error("ensure-edr: the EDR binding could not be installed");
}

module.exports = { ensureEdrBinding };

if (require.main === module && !installedAsDependency) {
  if (!bindingLoads()) {
    const spec = installBinding();
    if (!bindingLoads()) {
      console.error(`ensure-edr: ${spec} was installed but @nomicfoundation/edr still does not load`);
      process.exit(1);
    }
  }
}
