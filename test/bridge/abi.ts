import { readFileSync } from "node:fs";

import { expect } from "chai";
import { EventFragment, FunctionFragment, ParamType } from "ethers";
import hre from "hardhat";

// The Bridge must carry the whole public interface of Klaytn's bridge (VERSION 1), entry for entry, so that Klaytn's
// tools can drive it. The reference is Klaytn's own ABI, kept as a fixture.

type AbiParam = { name?: string; type: string; indexed?: boolean; components?: AbiParam[] };
type AbiEntry = {
  type: string;
  name?: string;
  inputs?: AbiParam[];
  outputs?: AbiParam[];
  stateMutability?: string;
  anonymous?: boolean;
};

const reference = JSON.parse(
  readFileSync(new URL("../fixtures/klaytn-bridge-abi.json", import.meta.url), "utf8"),
) as AbiEntry[];

function types(params: AbiParam[] | undefined): string {
  return (params ?? []).map((p) => ParamType.from({ type: p.type, components: p.components }).format("sighash")).join(",");
}

/** What must match exactly for an entry to count as present: one line per entry, names of parameters left out. */
function describeEntry(entry: AbiEntry): string {
  switch (entry.type) {
    case "function": {
      const selector = FunctionFragment.from(entry).selector;
      return `function ${selector} ${entry.name}(${types(entry.inputs)}) returns (${types(entry.outputs)}) ${entry.stateMutability}`;
    }
    case "event": {
      const topic = EventFragment.from(entry).topicHash;
      const flags = (entry.inputs ?? []).map((p) => (p.indexed ? "indexed" : "-")).join(",");
      return `event ${topic} ${entry.name}(${types(entry.inputs)}) [${flags}]${entry.anonymous ? " anonymous" : ""}`;
    }
    case "constructor":
      return `constructor(${types(entry.inputs)}) ${entry.stateMutability}`;
    case "fallback":
    case "receive":
      return `${entry.type} ${entry.stateMutability}`;
    default:
      return `${entry.type} ${entry.name ?? ""}`;
  }
}

/** The reference entries the compiled ABI does not carry exactly. */
function missingEntries(expected: AbiEntry[], compiled: AbiEntry[]): string[] {
  const present = new Set(compiled.map(describeEntry));
  return expected.map(describeEntry).filter((line) => !present.has(line));
}

describe("Bridge ABI: Klaytn's bridge interface, entry for entry", function () {
  let compiled: AbiEntry[];

  before(async function () {
    compiled = (await hre.artifacts.readArtifact("Bridge")).abi;
  });

  it("the reference fixture is Klaytn's interface: 53 functions, 13 events, a payable constructor and fallback", function () {
    const count = (type: string) => reference.filter((e) => e.type === type).length;
    expect(count("function")).to.equal(53);
    expect(count("event")).to.equal(13);
    expect(count("constructor")).to.equal(1);
    expect(count("fallback")).to.equal(1);
  });

  it("carries every reference entry exactly (selectors, input and output types, mutability, topics, indexed flags)", function () {
    expect(missingEntries(reference, compiled)).to.deep.equal([]);
  });

  it("has the payable constructor (bool modeMintBurn) and a payable fallback", function () {
    const constructor = compiled.find((e) => e.type === "constructor");
    expect(constructor?.stateMutability).to.equal("payable");
    expect(types(constructor?.inputs)).to.equal("bool");
    expect(compiled.find((e) => e.type === "fallback")?.stateMutability).to.equal("payable");
  });

  it("no reference function shares its selector with a different compiled function", function () {
    const bySelector = new Map<string, string>();
    for (const entry of compiled.filter((e) => e.type === "function")) {
      bySelector.set(FunctionFragment.from(entry).selector, describeEntry(entry));
    }
    for (const entry of reference.filter((e) => e.type === "function")) {
      const selector = FunctionFragment.from(entry).selector;
      expect(bySelector.get(selector), `selector ${selector} (${entry.name})`).to.equal(describeEntry(entry));
    }
  });

  it("every reference event has its topic on exactly one compiled event, with the same indexed flags", function () {
    for (const entry of reference.filter((e) => e.type === "event")) {
      const topic = EventFragment.from(entry).topicHash;
      const matches = compiled.filter((e) => e.type === "event" && EventFragment.from(e).topicHash === topic);
      expect(matches, entry.name).to.have.length(1);
      expect(matches[0].inputs?.map((p) => Boolean(p.indexed))).to.deep.equal(entry.inputs?.map((p) => Boolean(p.indexed)));
    }
  });

  it("also carries Kaia's later events and setRunningStatus, and the standard KIP/ERC721 receiver hooks", function () {
    const extras = [
      "event RunningStatusChanged(bool status)",
      "event CounterpartBridgeChanged(address bridge)",
      "event OperatorRegistered(address indexed operator)",
      "event OperatorDeregistered(address indexed operator)",
      "event OperatorThresholdChanged(uint8 indexed voteType, uint8 threshold)",
      "function setRunningStatus(bool status)",
      "function onKIP7Received(address operator, address from, uint256 amount, bytes data) returns (bytes4)",
      "function onKIP17Received(address operator, address from, uint256 tokenId, bytes data) returns (bytes4)",
      "function onERC721Received(address operator, address from, uint256 tokenId, bytes data) returns (bytes4)",
    ].map((text) => {
      if (text.startsWith("event")) return JSON.parse(EventFragment.from(text).format("json")) as AbiEntry;
      const fragment = FunctionFragment.from(text);
      return { ...(JSON.parse(fragment.format("json")) as AbiEntry), stateMutability: fragment.stateMutability };
    });
    expect(missingEntries(extras, compiled)).to.deep.equal([]);
    expect(FunctionFragment.from(extras[6]).selector).to.equal("0x9d188c22");
    expect(FunctionFragment.from(extras[7]).selector).to.equal("0x6745782b");
    expect(FunctionFragment.from(extras[8]).selector).to.equal("0x150b7a02");
  });

  describe("the proof can fail", function () {
    function altered(name: string, change: (entry: AbiEntry) => void): AbiEntry[] {
      const copy: AbiEntry[] = structuredClone(reference);
      const entry = copy.find((e) => e.name === name);
      if (entry === undefined) throw new Error(`no ${name} in the reference`);
      change(entry);
      return copy;
    }

    it("reports an event whose indexed flag differs", function () {
      const copy = altered("HandleValueTransfer", (e) => {
        e.inputs![0].indexed = true;
      });
      const missing = missingEntries(copy, compiled);
      expect(missing).to.have.length(1);
      expect(missing[0]).to.match(/^event .* HandleValueTransfer\(/);
    });

    it("reports a function whose output type differs", function () {
      const copy = altered("requestNonce", (e) => {
        e.outputs![0].type = "uint256";
      });
      const missing = missingEntries(copy, compiled);
      expect(missing).to.have.length(1);
      expect(missing[0]).to.match(/requestNonce\(\) returns \(uint256\) view$/);
    });

    it("reports a function whose mutability differs", function () {
      const copy = altered("chargeWithoutEvent", (e) => {
        e.stateMutability = "nonpayable";
      });
      expect(missingEntries(copy, compiled)).to.deep.equal([
        `function ${FunctionFragment.from("function chargeWithoutEvent()").selector} chargeWithoutEvent() returns () nonpayable`,
      ]);
    });

    it("reports a function whose input type differs (another selector)", function () {
      const copy = altered("setKLAYFee", (e) => {
        e.inputs![1].type = "uint256";
      });
      expect(missingEntries(copy, compiled)).to.have.length(1);
    });

    it("reports an entry the compiled ABI lacks", function () {
      const withoutLock = compiled.filter((e) => e.name !== "lockKLAY");
      expect(missingEntries(reference, withoutLock)).to.deep.equal([
        `function ${FunctionFragment.from("function lockKLAY()").selector} lockKLAY() returns () nonpayable`,
      ]);
    });
  });
});
