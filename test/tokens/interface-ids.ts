import { expect } from "chai";
import { Interface, id } from "ethers";
import { artifacts, network } from "hardhat";

import { ERC721_INTERFACE_ID } from "../../src/protocol/constants.js";

const { ethers, networkHelpers } = await network.create();

// Function lists of Klaytn's KIP7, KIP17 and KIP13 specifications (kips.klaytn.foundation), written out here so
// the ids are computed independently of the Solidity interfaces in contracts/tokens/kip/.
const SPEC_FUNCTIONS: Record<string, string[]> = {
  KIP13: ["supportsInterface(bytes4)"],
  KIP7: [
    "totalSupply()",
    "balanceOf(address)",
    "transfer(address,uint256)",
    "allowance(address,address)",
    "approve(address,uint256)",
    "transferFrom(address,address,uint256)",
    "safeTransfer(address,uint256)",
    "safeTransfer(address,uint256,bytes)",
    "safeTransferFrom(address,address,uint256)",
    "safeTransferFrom(address,address,uint256,bytes)",
  ],
  KIP7Metadata: ["name()", "symbol()", "decimals()"],
  KIP7Mintable: ["mint(address,uint256)", "isMinter(address)", "addMinter(address)", "renounceMinter()"],
  KIP7Burnable: ["burn(uint256)", "burnFrom(address,uint256)"],
  KIP17: [
    "balanceOf(address)",
    "ownerOf(uint256)",
    "safeTransferFrom(address,address,uint256,bytes)",
    "safeTransferFrom(address,address,uint256)",
    "transferFrom(address,address,uint256)",
    "approve(address,uint256)",
    "setApprovalForAll(address,bool)",
    "getApproved(uint256)",
    "isApprovedForAll(address,address)",
  ],
  KIP17Metadata: ["name()", "symbol()", "tokenURI(uint256)"],
  KIP17Enumerable: ["totalSupply()", "tokenOfOwnerByIndex(address,uint256)", "tokenByIndex(uint256)"],
  KIP17Mintable: ["mint(address,uint256)", "isMinter(address)", "addMinter(address)", "renounceMinter()"],
  KIP17MetadataMintable: [
    "mintWithTokenURI(address,uint256,string)",
    "isMinter(address)",
    "addMinter(address)",
    "renounceMinter()",
  ],
  KIP17Burnable: ["burn(uint256)"],
  KIP7Receiver: ["onKIP7Received(address,address,uint256,bytes)"],
};

// The ids as published in the KIPs.
const EXPECTED_IDS: Record<string, string> = {
  KIP13: "0x01ffc9a7",
  KIP7: "0x65787371",
  KIP7Metadata: "0xa219a025",
  KIP7Mintable: "0xeab83e20",
  KIP7Burnable: "0x3b5a0bf8",
  KIP17: "0x80ac58cd",
  KIP17Metadata: "0x5b5e139f",
  KIP17Enumerable: "0x780e9d63",
  KIP17Mintable: "0xeab83e20",
  KIP17MetadataMintable: "0xfac27f46",
  KIP17Burnable: "0x42966c68",
  KIP7Receiver: "0x9d188c22",
};

const ERC4906 = "0x49064906";

type TokenKey = "kip7Token" | "serviceChainKIP7" | "kip17Token" | "serviceChainKIP17";
type Claim = { reported: string[]; notReported: string[] };

// What each token reports through KIP13 (the KIP17 tokens also report ERC-4906 from OpenZeppelin's URI storage).
const KIP7_CLAIM: Claim = {
  reported: ["KIP13", "KIP7", "KIP7Metadata", "KIP7Mintable", "KIP7Burnable"],
  notReported: ["KIP17", "KIP17Metadata", "KIP17MetadataMintable"],
};
const KIP17_CLAIM: Claim = {
  reported: ["KIP13", "KIP17", "KIP17Metadata", "KIP17MetadataMintable", "KIP17Burnable"],
  notReported: ["KIP17Enumerable", "KIP17Mintable", "KIP7", "KIP7Burnable"],
};
const CLAIMS: Record<TokenKey, Claim> = {
  kip7Token: KIP7_CLAIM,
  serviceChainKIP7: KIP7_CLAIM,
  kip17Token: KIP17_CLAIM,
  serviceChainKIP17: KIP17_CLAIM,
};

function selector(signature: string): bigint {
  return BigInt(id(signature).slice(0, 10));
}

function xorOfSelectors(signatures: string[]): string {
  const xor = signatures.map(selector).reduce((acc, value) => acc ^ value, 0n);
  return "0x" + xor.toString(16).padStart(8, "0");
}

function supported(ids: string[]): string[] {
  return ids.map((name) => EXPECTED_IDS[name]);
}

async function deployTokens() {
  const bridge = await ethers.deployContract("TestBridgeReceiver");
  const bridgeAddress = await bridge.getAddress();
  return {
    kip7Token: await ethers.deployContract("KIP7Token", ["Parent Token", "PT", 18, 0n]),
    kip17Token: await ethers.deployContract("KIP17Token", ["Parent NFT", "PNFT"]),
    serviceChainKIP7: await ethers.deployContract("ServiceChainKIP7", ["Child Token", "CT", bridgeAddress]),
    serviceChainKIP17: await ethers.deployContract("ServiceChainKIP17", ["Child NFT", "CNFT", bridgeAddress]),
    ids: await ethers.deployContract("KIPInterfaceIds"),
  };
}

describe("KIP13 interface ids", function () {
  it("computed from the KIP specifications' function lists equal the published ids", function () {
    for (const [name, functions] of Object.entries(SPEC_FUNCTIONS)) {
      expect(xorOfSelectors(functions), name).to.equal(EXPECTED_IDS[name]);
    }
  });

  it("the protocol's ERC721 interface id (how the bridge tells an NFT) is KIP17's", function () {
    expect(ERC721_INTERFACE_ID).to.equal(EXPECTED_IDS.KIP17);
    expect(xorOfSelectors(SPEC_FUNCTIONS.KIP17)).to.equal(ERC721_INTERFACE_ID);
  });

  it("type(I).interfaceId of each Solidity interface equals the computed id", async function () {
    const { ids } = await networkHelpers.loadFixture(deployTokens);
    const names = await ids.names();
    const values = await ids.ids();
    expect(names.length).to.equal(Object.keys(EXPECTED_IDS).length);
    names.forEach((name, index) => {
      expect(values[index], name).to.equal(xorOfSelectors(SPEC_FUNCTIONS[name]));
    });
  });

  it("receiver magic values are the hook selectors", async function () {
    const { ids } = await networkHelpers.loadFixture(deployTokens);
    const [kip7, kip17] = await ids.magicValues();
    expect(kip7).to.equal("0x9d188c22");
    expect(kip17).to.equal("0x6745782b");
    expect(id("onERC721Received(address,address,uint256,bytes)").slice(0, 10)).to.equal("0x150b7a02");
  });

  for (const [token, { reported, notReported }] of Object.entries(CLAIMS) as [TokenKey, Claim][]) {
    it(`${token} reports exactly what it implements through supportsInterface`, async function () {
      const contract = (await networkHelpers.loadFixture(deployTokens))[token];
      const yes = [...supported(reported), ...(token.includes("17") ? [ERC4906] : [])];
      for (const interfaceId of yes) expect(await contract.supportsInterface(interfaceId), interfaceId).to.equal(true);
      for (const interfaceId of [...supported(notReported), "0xffffffff"]) {
        expect(await contract.supportsInterface(interfaceId), interfaceId).to.equal(false);
      }
    });

    it(`${token}'s ABI has every function of the interfaces it reports`, async function () {
      const abi: Interface = (await networkHelpers.loadFixture(deployTokens))[token].interface;
      for (const name of reported) {
        for (const signature of SPEC_FUNCTIONS[name]) {
          expect(abi.getFunction(signature), `${token} ${signature}`).to.not.equal(null);
        }
      }
    });
  }

  it("the tokens and the test bridge implement the bridge-facing interfaces with the same outputs", async function () {
    const tokens = await networkHelpers.loadFixture(deployTokens);
    const bridgeStub = (await ethers.getContractFactory("TestBridgeReceiver")).interface;
    const pairs: [string, Interface][] = [
      ["IServiceChainKIP7", tokens.serviceChainKIP7.interface],
      ["IServiceChainKIP7", tokens.kip7Token.interface],
      ["IServiceChainKIP17", tokens.serviceChainKIP17.interface],
      ["IKIP7BridgeReceiver", bridgeStub],
      ["IKIP17BridgeReceiver", bridgeStub],
    ];
    const klaytnHookSelectors: Record<string, string> = {
      "onERC20Received(address,address,uint256,uint256,bytes)": "0xf1656e53",
      "onERC721Received(address,uint256,address,bytes)": "0xcf0da290",
    };
    for (const [signature, expected] of Object.entries(klaytnHookSelectors)) {
      expect(bridgeStub.getFunction(signature)?.selector, signature).to.equal(expected);
    }
    for (const [interfaceName, implementation] of pairs) {
      const declared = new Interface((await artifacts.readArtifact(interfaceName)).abi);
      declared.forEachFunction((fragment) => {
        if (implementation === tokens.kip7Token.interface && /bridge|requestValueTransfer/i.test(fragment.name)) return;
        const implemented = implementation.getFunction(fragment.selector);
        expect(implemented, `${interfaceName} ${fragment.format()}`).to.not.equal(null);
        expect(implemented!.outputs.map((output) => output.type), fragment.format()).to.deep.equal(
          fragment.outputs.map((output) => output.type),
        );
      });
    }
  });
});
