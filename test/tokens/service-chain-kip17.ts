import { expect } from "chai";
import { network } from "hardhat";

import { expectSetBridgeGuarded, linkedToken } from "../helpers/service-chain-tokens.js";

const { ethers, networkHelpers } = await network.create();

const TOKEN_ID = 42n;

function deployServiceChainKIP17() {
  const deploy = (bridge: string) => ethers.deployContract("ServiceChainKIP17", ["Child NFT", "CNFT", bridge]);
  return linkedToken(ethers, deploy, (token, user) => token.mintWithTokenURI(user, TOKEN_ID, "ipfs://42"));
}

describe("ServiceChainKIP17", function () {
  it("is owned by its deployer and linked to its bridge", async function () {
    const { owner, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP17);
    expect(await token.name()).to.equal("Child NFT");
    expect(await token.symbol()).to.equal("CNFT");
    expect(await token.owner()).to.equal(owner.address);
    expect(await token.bridge()).to.equal(await bridge.getAddress());
    expect(await token.isMinter(owner)).to.equal(true);
    expect(await token.isMinter(bridge)).to.equal(true);
  });

  it("refuses a bridge without code at deployment", async function () {
    const { user } = await networkHelpers.loadFixture(deployServiceChainKIP17);
    const factory = await ethers.getContractFactory("ServiceChainKIP17");
    await expect(factory.deploy("Child NFT", "CNFT", user.address))
      .to.be.revertedWithCustomError(factory, "BridgeNotContract")
      .withArgs(user.address);
  });

  describe("minting", function () {
    it("the bridge mints with a URI without being added as a minter, never calling the recipient", async function () {
      const { bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP17);
      // A recipient whose KIP17 hook always reverts: minting succeeds only because the hook is never called.
      const rejecter = await ethers.deployContract("KIP17TestReceiver", ["0x6745782b", true]);
      const mint = token.interface.encodeFunctionData("mintWithTokenURI", [await rejecter.getAddress(), 1n, "uri-1"]);
      await expect(bridge.execute(token, mint))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, await rejecter.getAddress(), 1n);
      expect(await token.ownerOf(1n)).to.equal(await rejecter.getAddress());
      expect(await token.tokenURI(1n)).to.equal("uri-1");
    });

    it("the deployer mints; a stranger cannot", async function () {
      const { stranger, token } = await networkHelpers.loadFixture(deployServiceChainKIP17);
      await token.mintWithTokenURI(stranger, 2n, "uri-2");
      expect(await token.ownerOf(2n)).to.equal(stranger.address);
      await expect(token.connect(stranger).mintWithTokenURI(stranger, 3n, "uri-3"))
        .to.be.revertedWithCustomError(token, "MinterRoleUnauthorizedAccount")
        .withArgs(stranger.address);
    });
  });

  describe("setBridge", function () {
    it("only the owner may change the bridge, and only to a contract", async function () {
      const fixture = await networkHelpers.loadFixture(deployServiceChainKIP17);
      const { user, bridge, otherBridge, token } = fixture;
      await expectSetBridgeGuarded(fixture);
      const mint = token.interface.encodeFunctionData("mintWithTokenURI", [user.address, 5n, ""]);
      await expect(bridge.execute(token, mint)).to.be.revertedWithCustomError(token, "MinterRoleUnauthorizedAccount");
      await otherBridge.execute(token, mint);
      expect(await token.ownerOf(5n)).to.equal(user.address);
    });
  });

  describe("requestValueTransfer", function () {
    it("moves the token to the bridge and calls onERC721Received with the exact arguments", async function () {
      const { user, stranger, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP17);
      await expect(token.connect(user).requestValueTransfer(TOKEN_ID, stranger, "0x0102"))
        .to.emit(bridge, "ERC721Received")
        .withArgs(await token.getAddress(), user.address, TOKEN_ID, stranger.address, "0x0102");
      expect(await token.ownerOf(TOKEN_ID)).to.equal(await bridge.getAddress());
      expect(await bridge.hookCalls()).to.equal(1n);
    });

    it("reverts for a caller who does not own the token", async function () {
      const { stranger, token } = await networkHelpers.loadFixture(deployServiceChainKIP17);
      await expect(token.connect(stranger).requestValueTransfer(TOKEN_ID, stranger, "0x"))
        .to.be.revertedWithCustomError(token, "ERC721InsufficientApproval")
        .withArgs(stranger.address, TOKEN_ID);
    });
  });

  describe("burning", function () {
    it("the bridge burns a token it holds; a stranger cannot burn", async function () {
      const { user, stranger, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP17);
      await expect(token.connect(stranger).burn(TOKEN_ID)).to.be.revertedWithCustomError(
        token,
        "ERC721InsufficientApproval",
      );
      await token.connect(user).requestValueTransfer(TOKEN_ID, user, "0x");
      await expect(bridge.execute(token, token.interface.encodeFunctionData("burn", [TOKEN_ID])))
        .to.emit(token, "Transfer")
        .withArgs(await bridge.getAddress(), ethers.ZeroAddress, TOKEN_ID);
      expect(await token.balanceOf(bridge)).to.equal(0n);
      await expect(token.ownerOf(TOKEN_ID)).to.be.revertedWithCustomError(token, "ERC721NonexistentToken");
    });

    it("the bridge can mint the same id again after burning it (mint/burn round trip)", async function () {
      const { user, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP17);
      await token.connect(user).requestValueTransfer(TOKEN_ID, user, "0x");
      await bridge.execute(token, token.interface.encodeFunctionData("burn", [TOKEN_ID]));
      await bridge.execute(
        token,
        token.interface.encodeFunctionData("mintWithTokenURI", [user.address, TOKEN_ID, "ipfs://42-back"]),
      );
      expect(await token.ownerOf(TOKEN_ID)).to.equal(user.address);
      expect(await token.tokenURI(TOKEN_ID)).to.equal("ipfs://42-back");
    });
  });
});
