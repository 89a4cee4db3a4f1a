import { expect } from "chai";
import { network } from "hardhat";

import { deployBridge } from "../helpers/bridge.js";
import { expectOwnerOnly } from "../helpers/ownable.js";

const { ethers, networkHelpers } = await network.create();

describe("Bridge token registry and counterpart link", function () {
  async function deployed() {
    const [owner, stranger] = await ethers.getSigners();
    const bridge = await deployBridge(ethers);
    const [t1, t2, t3, c1, c2, c3] = Array.from({ length: 6 }, () => ethers.Wallet.createRandom().address);
    return { bridge, owner, stranger, t1, t2, t3, c1, c2, c3 };
  }

  async function threeRegistered() {
    const f = await deployed();
    await f.bridge.registerToken(f.t1, f.c1);
    await f.bridge.registerToken(f.t2, f.c2);
    await f.bridge.registerToken(f.t3, f.c3);
    return f;
  }

  describe("registerToken", function () {
    it("records the pair, its index and the list, and emits TokenRegistered", async function () {
      const { bridge, t1, t2, c1, c2 } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.getRegisteredTokenList()).to.deep.equal([]);
      await expect(bridge.registerToken(t1, c1)).to.emit(bridge, "TokenRegistered").withArgs(t1);
      await expect(bridge.registerToken(t2, c2)).to.emit(bridge, "TokenRegistered").withArgs(t2);
      expect(await bridge.registeredTokens(t1)).to.equal(c1);
      expect(await bridge.registeredTokens(t2)).to.equal(c2);
      expect(await bridge.indexOfTokens(t1)).to.equal(0n);
      expect(await bridge.indexOfTokens(t2)).to.equal(1n);
      expect(await bridge.registeredTokenList(0)).to.equal(t1);
      expect(await bridge.registeredTokenList(1)).to.equal(t2);
      expect(await bridge.getRegisteredTokenList()).to.deep.equal([t1, t2]);
      expect(await bridge.lockedTokens(t1)).to.equal(false);
    });

    it("refuses the zero token and the zero counterpart (ZeroAddress)", async function () {
      const { bridge, t1, c1 } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.registerToken(ethers.ZeroAddress, c1)).to.be.revertedWithCustomError(bridge, "ZeroAddress");
      await expect(bridge.registerToken(t1, ethers.ZeroAddress)).to.be.revertedWithCustomError(bridge, "ZeroAddress");
      expect(await bridge.getRegisteredTokenList()).to.deep.equal([]);
    });

    it("refuses a token registered already, whatever the counterpart (TokenAlreadyRegistered)", async function () {
      const { bridge, t1, c1, c2 } = await networkHelpers.loadFixture(threeRegistered);
      await expect(bridge.registerToken(t1, c1)).to.be.revertedWithCustomError(bridge, "TokenAlreadyRegistered").withArgs(t1);
      await expect(bridge.registerToken(t1, c2)).to.be.revertedWithCustomError(bridge, "TokenAlreadyRegistered").withArgs(t1);
      expect(await bridge.registeredTokens(t1)).to.equal(c1);
    });
  });

  describe("deregisterToken", function () {
    it("swaps the last token into the hole, pops, clears the entry and emits TokenDeregistered", async function () {
      const { bridge, t1, t2, t3 } = await networkHelpers.loadFixture(threeRegistered);
      await expect(bridge.deregisterToken(t1)).to.emit(bridge, "TokenDeregistered").withArgs(t1);
      expect(await bridge.getRegisteredTokenList()).to.deep.equal([t3, t2]);
      expect(await bridge.indexOfTokens(t3)).to.equal(0n);
      expect(await bridge.indexOfTokens(t2)).to.equal(1n);
      expect(await bridge.indexOfTokens(t1)).to.equal(0n);
      expect(await bridge.registeredTokens(t1)).to.equal(ethers.ZeroAddress);
      // The last one leaves without a swap.
      await bridge.deregisterToken(t2);
      expect(await bridge.getRegisteredTokenList()).to.deep.equal([t3]);
      expect(await bridge.indexOfTokens(t3)).to.equal(0n);
      await bridge.deregisterToken(t3);
      expect(await bridge.getRegisteredTokenList()).to.deep.equal([]);
    });

    it("removes the token's lock with it; registering it again starts unlocked at the end of the list", async function () {
      const { bridge, t1, t2, t3, c2 } = await networkHelpers.loadFixture(threeRegistered);
      await bridge.lockToken(t2);
      await bridge.deregisterToken(t2);
      expect(await bridge.lockedTokens(t2)).to.equal(false);
      await bridge.registerToken(t2, c2);
      expect(await bridge.lockedTokens(t2)).to.equal(false);
      expect(await bridge.getRegisteredTokenList()).to.deep.equal([t1, t3, t2]);
      expect(await bridge.indexOfTokens(t2)).to.equal(2n);
    });

    it("refuses a token not registered (TokenNotRegistered)", async function () {
      const { bridge, t1 } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.deregisterToken(t1)).to.be.revertedWithCustomError(bridge, "TokenNotRegistered").withArgs(t1);
    });
  });

  describe("lockToken / unlockToken", function () {
    it("lock and unlock with TokenLocked / TokenUnlocked", async function () {
      const { bridge, t1 } = await networkHelpers.loadFixture(threeRegistered);
      await expect(bridge.lockToken(t1)).to.emit(bridge, "TokenLocked").withArgs(t1);
      expect(await bridge.lockedTokens(t1)).to.equal(true);
      await expect(bridge.unlockToken(t1)).to.emit(bridge, "TokenUnlocked").withArgs(t1);
      expect(await bridge.lockedTokens(t1)).to.equal(false);
    });

    it("refuses to lock twice (TokenIsLocked) and to unlock what is not locked (TokenNotLocked)", async function () {
      const { bridge, t1 } = await networkHelpers.loadFixture(threeRegistered);
      await expect(bridge.unlockToken(t1)).to.be.revertedWithCustomError(bridge, "TokenNotLocked").withArgs(t1);
      await bridge.lockToken(t1);
      await expect(bridge.lockToken(t1)).to.be.revertedWithCustomError(bridge, "TokenIsLocked").withArgs(t1);
    });

    it("refuses an unregistered token (TokenNotRegistered)", async function () {
      const { bridge } = await networkHelpers.loadFixture(threeRegistered);
      const unknown = ethers.Wallet.createRandom().address;
      await expect(bridge.lockToken(unknown)).to.be.revertedWithCustomError(bridge, "TokenNotRegistered").withArgs(unknown);
      await expect(bridge.unlockToken(unknown))
        .to.be.revertedWithCustomError(bridge, "TokenNotRegistered")
        .withArgs(unknown);
      await expect(bridge.lockToken(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(bridge, "TokenNotRegistered")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("owner only", function () {
    it("registry changes are refused to anyone but the owner", async function () {
      const { bridge, stranger, t1, c1 } = await networkHelpers.loadFixture(threeRegistered);
      await expectOwnerOnly(bridge, stranger, [
        (asStranger) => asStranger.registerToken(ethers.Wallet.createRandom().address, c1),
        (asStranger) => asStranger.deregisterToken(t1),
        (asStranger) => asStranger.lockToken(t1),
        (asStranger) => asStranger.unlockToken(t1),
        (asStranger) => asStranger.setCounterPartBridge(c1),
      ]);
    });
  });

  describe("setCounterPartBridge", function () {
    it("links the counterpart bridge and emits CounterpartBridgeChanged; it may be changed later", async function () {
      const { bridge, c1, c2 } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.counterpartBridge()).to.equal(ethers.ZeroAddress);
      await expect(bridge.setCounterPartBridge(c1)).to.emit(bridge, "CounterpartBridgeChanged").withArgs(c1);
      expect(await bridge.counterpartBridge()).to.equal(c1);
      await expect(bridge.setCounterPartBridge(c2)).to.emit(bridge, "CounterpartBridgeChanged").withArgs(c2);
      expect(await bridge.counterpartBridge()).to.equal(c2);
    });

    it("refuses the zero address", async function () {
      const { bridge } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.setCounterPartBridge(ethers.ZeroAddress)).to.be.revertedWithCustomError(bridge, "ZeroAddress");
    });
  });
});
