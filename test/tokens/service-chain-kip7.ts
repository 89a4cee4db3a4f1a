import { expect } from "chai";
import { network } from "hardhat";

import { expectSetBridgeGuarded, linkedToken } from "../helpers/service-chain-tokens.js";

const { ethers, networkHelpers } = await network.create();

function deployServiceChainKIP7() {
  const deploy = (bridge: string) => ethers.deployContract("ServiceChainKIP7", ["Child Token", "CT", bridge]);
  return linkedToken(ethers, deploy, (token, user) => token.mint(user, 1_000n));
}

describe("ServiceChainKIP7", function () {
  it("is an 18-decimal token owned by its deployer and linked to its bridge", async function () {
    const { owner, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
    expect(await token.name()).to.equal("Child Token");
    expect(await token.symbol()).to.equal("CT");
    expect(await token.decimals()).to.equal(18);
    expect(await token.owner()).to.equal(owner.address);
    expect(await token.bridge()).to.equal(await bridge.getAddress());
    expect(await token.isMinter(owner)).to.equal(true);
    expect(await token.isMinter(bridge)).to.equal(true);
  });

  it("refuses a bridge without code at deployment and announces the bridge", async function () {
    const { user, bridge } = await networkHelpers.loadFixture(deployServiceChainKIP7);
    const factory = await ethers.getContractFactory("ServiceChainKIP7");
    await expect(factory.deploy("Child Token", "CT", user.address))
      .to.be.revertedWithCustomError(factory, "BridgeNotContract")
      .withArgs(user.address);
    const token = await factory.deploy("Child Token", "CT", await bridge.getAddress());
    await expect(token.deploymentTransaction())
      .to.emit(token, "BridgeChanged")
      .withArgs(ethers.ZeroAddress, await bridge.getAddress());
  });

  describe("minting", function () {
    it("the bridge mints without being added as a minter", async function () {
      const { user, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
      const mint = token.interface.encodeFunctionData("mint", [user.address, 250n]);
      await expect(bridge.execute(token, mint)).to.changeTokenBalance(ethers, token, user, 250n);
      expect(await bridge.execute.staticCall(token, mint)).to.equal(ethers.AbiCoder.defaultAbiCoder().encode(["bool"], [true]));
    });

    it("the deployer mints; a stranger cannot", async function () {
      const { stranger, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
      await expect(token.mint(stranger, 3n)).to.changeTokenBalance(ethers, token, stranger, 3n);
      await expect(token.connect(stranger).mint(stranger, 3n))
        .to.be.revertedWithCustomError(token, "MinterRoleUnauthorizedAccount")
        .withArgs(stranger.address);
    });
  });

  describe("setBridge", function () {
    it("only the owner may change the bridge, and only to a contract", async function () {
      const fixture = await networkHelpers.loadFixture(deployServiceChainKIP7);
      await expectSetBridgeGuarded(fixture);
      expect(await fixture.token.bridge()).to.equal(await fixture.otherBridge.getAddress());
    });

    it("moves the minting right from the old bridge to the new one", async function () {
      const { user, bridge, otherBridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
      await token.setBridge(otherBridge);
      const mint = token.interface.encodeFunctionData("mint", [user.address, 1n]);
      await expect(bridge.execute(token, mint))
        .to.be.revertedWithCustomError(token, "MinterRoleUnauthorizedAccount")
        .withArgs(await bridge.getAddress());
      await expect(otherBridge.execute(token, mint)).to.changeTokenBalance(ethers, token, user, 1n);
    });
  });

  describe("requestValueTransfer", function () {
    it("moves amount plus fee limit to the bridge and calls onERC20Received with the exact arguments", async function () {
      const { user, stranger, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
      const tx = token.connect(user).requestValueTransfer(300n, stranger, 20n, "0xdeadbeef");
      await expect(tx).to.changeTokenBalances(ethers, token, [user, bridge], [-320n, 320n]);
      await expect(tx)
        .to.emit(bridge, "ERC20Received")
        .withArgs(await token.getAddress(), user.address, stranger.address, 300n, 20n, "0xdeadbeef");
      expect(await bridge.hookCalls()).to.equal(1n);
    });

    it("calls the current bridge after setBridge", async function () {
      const { user, stranger, bridge, otherBridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
      await token.setBridge(otherBridge);
      await expect(token.connect(user).requestValueTransfer(1n, stranger, 0n, "0x"))
        .to.emit(otherBridge, "ERC20Received")
        .withArgs(await token.getAddress(), user.address, stranger.address, 1n, 0n, "0x");
      expect(await bridge.hookCalls()).to.equal(0n);
    });

    it("reverts when the balance does not cover amount plus fee limit", async function () {
      const { user, stranger, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
      await expect(token.connect(user).requestValueTransfer(1_000n, stranger, 1n, "0x"))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(user.address, 1_000n, 1_001n);
    });
  });

  describe("burning", function () {
    it("the bridge burns what it holds, and others' tokens with allowance", async function () {
      const { user, bridge, token } = await networkHelpers.loadFixture(deployServiceChainKIP7);
      await token.connect(user).requestValueTransfer(100n, user, 0n, "0x");
      await expect(bridge.execute(token, token.interface.encodeFunctionData("burn", [100n]))).to.changeTokenBalance(
        ethers,
        token,
        bridge,
        -100n,
      );
      const burnFrom = token.interface.encodeFunctionData("burnFrom", [user.address, 50n]);
      await expect(bridge.execute(token, burnFrom)).to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance");
      await token.connect(user).approve(bridge, 50n);
      await expect(bridge.execute(token, burnFrom)).to.changeTokenBalance(ethers, token, user, -50n);
      expect(await token.totalSupply()).to.equal(850n);
    });
  });
});
