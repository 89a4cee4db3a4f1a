import { expect } from "chai";
import { network } from "hardhat";

import { deployBridge, handleKLAY, klayTransfer, VoteType } from "../helpers/bridge.js";
import { expectOwnerOnly } from "../helpers/ownable.js";

const { ethers, networkHelpers } = await network.create();

describe("Bridge operators and thresholds", function () {
  async function deployed() {
    const signers = await ethers.getSigners();
    const [owner, a, b, c, stranger] = signers;
    const bridge = await deployBridge(ethers, false, ethers.parseEther("10"));
    return { bridge, owner, a, b, c, stranger, signers };
  }

  /** Owner, A and B are operators; the value-transfer threshold is 2. */
  async function twoOfThree() {
    const f = await deployed();
    await f.bridge.registerOperator(f.a);
    await f.bridge.registerOperator(f.b);
    await f.bridge.setOperatorThreshold(VoteType.ValueTransfer, 2);
    return f;
  }

  describe("at deployment", function () {
    it("the deployer is the owner and the sole operator", async function () {
      const { bridge, owner, a } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.owner()).to.equal(owner.address);
      expect(await bridge.getOperatorList()).to.deep.equal([owner.address]);
      expect(await bridge.operatorList(0)).to.equal(owner.address);
      expect(await bridge.operators(owner)).to.equal(true);
      expect(await bridge.operators(a)).to.equal(false);
      expect(await bridge.MAX_OPERATOR()).to.equal(12n);
    });

    it("thresholds start at 1 for value transfer and configuration; vote type 2 has none", async function () {
      const { bridge } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.operatorThresholds(VoteType.ValueTransfer)).to.equal(1n);
      expect(await bridge.operatorThresholds(VoteType.Configuration)).to.equal(1n);
      expect(await bridge.operatorThresholds(2)).to.equal(0n);
      expect(await bridge.operatorThresholds(255)).to.equal(0n);
    });

    it("isOwner tells the caller whether it is the owner", async function () {
      const { bridge, a } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.isOwner()).to.equal(true);
      expect(await bridge.connect(a).isOwner()).to.equal(false);
    });
  });

  describe("registerOperator", function () {
    it("adds the operator and emits OperatorRegistered", async function () {
      const { bridge, owner, a } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.registerOperator(a)).to.emit(bridge, "OperatorRegistered").withArgs(a.address);
      expect(await bridge.operators(a)).to.equal(true);
      expect(await bridge.getOperatorList()).to.deep.equal([owner.address, a.address]);
    });

    it("takes at most 12 operators: the 13th is refused with TooManyOperators", async function () {
      const { bridge, signers } = await networkHelpers.loadFixture(deployed);
      for (const s of signers.slice(1, 12)) await bridge.registerOperator(s);
      expect(await bridge.getOperatorList()).to.have.length(12);
      await expect(bridge.registerOperator(signers[12]))
        .to.be.revertedWithCustomError(bridge, "TooManyOperators")
        .withArgs(12);
    });

    it("refuses an operator registered already", async function () {
      const { bridge, owner, a } = await networkHelpers.loadFixture(deployed);
      await bridge.registerOperator(a);
      await expect(bridge.registerOperator(a))
        .to.be.revertedWithCustomError(bridge, "OperatorAlreadyRegistered")
        .withArgs(a.address);
      await expect(bridge.registerOperator(owner))
        .to.be.revertedWithCustomError(bridge, "OperatorAlreadyRegistered")
        .withArgs(owner.address);
    });

    it("refuses the zero address", async function () {
      const { bridge } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.registerOperator(ethers.ZeroAddress)).to.be.revertedWithCustomError(bridge, "ZeroAddress");
    });
  });

  describe("deregisterOperator", function () {
    it("removes the operator (swap and pop) and emits OperatorDeregistered", async function () {
      const { bridge, owner, a, b, c } = await networkHelpers.loadFixture(deployed);
      for (const s of [a, b, c]) await bridge.registerOperator(s);
      await expect(bridge.deregisterOperator(a)).to.emit(bridge, "OperatorDeregistered").withArgs(a.address);
      expect(await bridge.operators(a)).to.equal(false);
      expect(await bridge.getOperatorList()).to.deep.equal([owner.address, c.address, b.address]);
      await bridge.deregisterOperator(b);
      expect(await bridge.getOperatorList()).to.deep.equal([owner.address, c.address]);
    });

    it("refuses an address that is not an operator", async function () {
      const { bridge, a } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.deregisterOperator(a))
        .to.be.revertedWithCustomError(bridge, "OperatorNotRegistered")
        .withArgs(a.address);
    });

    it("refuses to leave a threshold above the operators that remain (ThresholdAboveOperatorCount)", async function () {
      const { bridge, owner, a, b } = await networkHelpers.loadFixture(twoOfThree);
      await bridge.setOperatorThreshold(VoteType.ValueTransfer, 3);
      await expect(bridge.deregisterOperator(a))
        .to.be.revertedWithCustomError(bridge, "ThresholdAboveOperatorCount")
        .withArgs(VoteType.ValueTransfer, 3, 2);
      await bridge.setOperatorThreshold(VoteType.ValueTransfer, 1);
      await bridge.setOperatorThreshold(VoteType.Configuration, 3);
      await expect(bridge.deregisterOperator(b))
        .to.be.revertedWithCustomError(bridge, "ThresholdAboveOperatorCount")
        .withArgs(VoteType.Configuration, 3, 2);
      await bridge.setOperatorThreshold(VoteType.Configuration, 2);
      await bridge.deregisterOperator(b);
      expect(await bridge.getOperatorList()).to.deep.equal([owner.address, a.address]);
    });

    it("never removes the last operator", async function () {
      const { bridge, owner } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.deregisterOperator(owner))
        .to.be.revertedWithCustomError(bridge, "ThresholdAboveOperatorCount")
        .withArgs(VoteType.ValueTransfer, 1, 0);
    });

    it("the owner may remove itself as operator and stays owner", async function () {
      const { bridge, owner, a } = await networkHelpers.loadFixture(deployed);
      await bridge.registerOperator(a);
      await bridge.deregisterOperator(owner);
      expect(await bridge.getOperatorList()).to.deep.equal([a.address]);
      expect(await bridge.owner()).to.equal(owner.address);
      await expect(handleKLAY(bridge, owner, klayTransfer(a.address, 0)))
        .to.be.revertedWithCustomError(bridge, "NotOperator")
        .withArgs(owner.address);
    });
  });

  describe("setOperatorThreshold", function () {
    it("sets the threshold of each vote type and emits OperatorThresholdChanged", async function () {
      const { bridge } = await networkHelpers.loadFixture(twoOfThree);
      expect(await bridge.operatorThresholds(VoteType.ValueTransfer)).to.equal(2n);
      await expect(bridge.setOperatorThreshold(VoteType.Configuration, 3))
        .to.emit(bridge, "OperatorThresholdChanged")
        .withArgs(VoteType.Configuration, 3);
      expect(await bridge.operatorThresholds(VoteType.Configuration)).to.equal(3n);
      expect(await bridge.operatorThresholds(VoteType.ValueTransfer)).to.equal(2n);
    });

    it("refuses 0, a threshold above the operator count, and a vote type other than 0 and 1", async function () {
      const { bridge } = await networkHelpers.loadFixture(twoOfThree);
      await expect(bridge.setOperatorThreshold(VoteType.ValueTransfer, 0))
        .to.be.revertedWithCustomError(bridge, "InvalidThreshold")
        .withArgs(0, 3);
      await expect(bridge.setOperatorThreshold(VoteType.Configuration, 4))
        .to.be.revertedWithCustomError(bridge, "InvalidThreshold")
        .withArgs(4, 3);
      await expect(bridge.setOperatorThreshold(2, 1))
        .to.be.revertedWithCustomError(bridge, "InvalidVoteType")
        .withArgs(2);
      expect(await bridge.operatorThresholds(VoteType.ValueTransfer)).to.equal(2n);
      expect(await bridge.operatorThresholds(2)).to.equal(0n);
    });
  });

  describe("owner only", function () {
    it("operator and threshold changes are refused to anyone but the owner, operators included", async function () {
      const { bridge, a, stranger } = await networkHelpers.loadFixture(twoOfThree);
      for (const caller of [a, stranger]) {
        await expectOwnerOnly(bridge, caller, [
          (asCaller) => asCaller.registerOperator(caller),
          (asCaller) => asCaller.deregisterOperator(a),
          (asCaller) => asCaller.setOperatorThreshold(VoteType.ValueTransfer, 1),
        ]);
      }
    });

    it("transferOwnership hands over the owner's rights (operators unchanged)", async function () {
      const { bridge, owner, a, c } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.transferOwnership(a)).to.emit(bridge, "OwnershipTransferred").withArgs(owner.address, a.address);
      expect(await bridge.owner()).to.equal(a.address);
      expect(await bridge.isOwner()).to.equal(false);
      expect(await bridge.connect(a).isOwner()).to.equal(true);
      expect(await bridge.getOperatorList()).to.deep.equal([owner.address]);
      await expect(bridge.registerOperator(c))
        .to.be.revertedWithCustomError(bridge, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
      await bridge.connect(a).registerOperator(c);
      await expect(bridge.connect(a).transferOwnership(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(bridge, "OwnableInvalidOwner")
        .withArgs(ethers.ZeroAddress);
    });

    it("renounceOwnership leaves no owner: owner functions are refused for good", async function () {
      const { bridge, owner, a } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.renounceOwnership())
        .to.emit(bridge, "OwnershipTransferred")
        .withArgs(owner.address, ethers.ZeroAddress);
      expect(await bridge.owner()).to.equal(ethers.ZeroAddress);
      expect(await bridge.isOwner()).to.equal(false);
      await expect(bridge.registerOperator(a))
        .to.be.revertedWithCustomError(bridge, "OwnableUnauthorizedAccount")
        .withArgs(owner.address);
      await expect(bridge.connect(a).renounceOwnership())
        .to.be.revertedWithCustomError(bridge, "OwnableUnauthorizedAccount")
        .withArgs(a.address);
    });
  });

  describe("votes of operators who leave", function () {
    it("a removed operator's pending vote stops counting", async function () {
      const { bridge, owner, a, b } = await networkHelpers.loadFixture(twoOfThree);
      const t = klayTransfer(b.address, 0);
      await expect(handleKLAY(bridge, a, t)).not.to.emit(bridge, "HandleValueTransfer");
      await bridge.deregisterOperator(a);
      // With A's vote still counting, B's vote would be the second: it is not.
      await expect(handleKLAY(bridge, b, t)).not.to.emit(bridge, "HandleValueTransfer");
      expect(await bridge.closedValueTransferVotes(0)).to.equal(false);
      expect(await bridge.lowerHandleNonce()).to.equal(0n);
      await expect(handleKLAY(bridge, owner, t)).to.emit(bridge, "HandleValueTransfer");
      expect(await bridge.lowerHandleNonce()).to.equal(1n);
    });

    it("a removed operator's vote does not count once the threshold is lowered either", async function () {
      const { bridge, owner, a, b } = await networkHelpers.loadFixture(twoOfThree);
      const t = klayTransfer(b.address, 0);
      await handleKLAY(bridge, a, t);
      await handleKLAY(bridge, b, { ...t, extraData: "0x01" }); // B votes something else
      await bridge.deregisterOperator(a);
      await bridge.setOperatorThreshold(VoteType.ValueTransfer, 1);
      // Threshold 1 now; A's old vote is not enough on its own: the next vote for `t` executes, not an earlier one.
      expect(await bridge.lowerHandleNonce()).to.equal(0n);
      await expect(handleKLAY(bridge, owner, t))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(t.requestTxHash, 0, t.from, t.to, ethers.ZeroAddress, t.value, 0, 1, t.extraData);
    });

    it("an operator registered again does not revive its old votes", async function () {
      const { bridge, a, b } = await networkHelpers.loadFixture(twoOfThree);
      const t = klayTransfer(b.address, 0);
      await handleKLAY(bridge, a, t);
      await bridge.deregisterOperator(a);
      await bridge.registerOperator(a);
      await expect(handleKLAY(bridge, b, t)).not.to.emit(bridge, "HandleValueTransfer");
      await expect(handleKLAY(bridge, a, t)).to.emit(bridge, "HandleValueTransfer");
    });

    it("a newcomer given a departed operator's bit (after every bit was used) does not inherit its votes", async function () {
      const { bridge, a, b, signers } = await networkHelpers.loadFixture(twoOfThree);
      const t = klayTransfer(b.address, 0);
      await handleKLAY(bridge, a, t);
      await bridge.deregisterOperator(a);
      // Cycle through fresh operators until every one of the 16 bits has been handed out once.
      const [cycler] = signers.slice(13, 14);
      const wallets = Array.from({ length: 13 }, () => ethers.Wallet.createRandom());
      for (const w of wallets) {
        await bridge.registerOperator(w.address);
        await bridge.deregisterOperator(w.address);
      }
      expect(await bridge.getOperatorList()).to.have.length(2);
      // The next operator can only take a used bit: the lowest free one, A's.
      await bridge.registerOperator(cycler);
      // Were A's vote inherited by the newcomer's bit, B's vote would now be the second and execute.
      await expect(handleKLAY(bridge, b, t)).not.to.emit(bridge, "HandleValueTransfer");
      expect(await bridge.closedValueTransferVotes(0)).to.equal(false);
      await expect(handleKLAY(bridge, cycler, t)).to.emit(bridge, "HandleValueTransfer");
    });

    it("votes still count across register/deregister cycles that reuse no bit", async function () {
      const { bridge, owner, a, b } = await networkHelpers.loadFixture(twoOfThree);
      const t = klayTransfer(b.address, 0);
      await handleKLAY(bridge, a, t);
      const w = ethers.Wallet.createRandom();
      await bridge.registerOperator(w.address);
      await bridge.deregisterOperator(w.address);
      await expect(handleKLAY(bridge, owner, t)).to.emit(bridge, "HandleValueTransfer");
    });
  });
});
