import { expect } from "chai";
import { network } from "hardhat";

import { deployBridge, VoteType } from "../helpers/bridge.js";

const { ethers, networkHelpers } = await network.create();

describe("Bridge fees: configuration votes and the fee receiver", function () {
  async function deployed() {
    const [owner, a, b, c, stranger, feeReceiver] = await ethers.getSigners();
    const bridge = await deployBridge(ethers);
    for (const op of [a, b, c]) await bridge.registerOperator(op);
    const token = ethers.Wallet.createRandom().address;
    return { bridge, owner, a, b, c, stranger, feeReceiver, token };
  }

  /** Configuration votes need 2 operators; value transfers still need 1. */
  async function configTwoOfFour() {
    const f = await deployed();
    await f.bridge.setOperatorThreshold(VoteType.Configuration, 2);
    return f;
  }

  type Bridge = Awaited<ReturnType<typeof deployed>>["bridge"];
  type Operator = Awaited<ReturnType<typeof deployed>>["a"];

  /** The KLAY fee is `fee` and `configurationNonce` counts `applied` configuration changes. */
  async function expectKLAYFee(bridge: Bridge, fee: bigint, applied: bigint) {
    expect(await bridge.feeOfKLAY()).to.equal(fee);
    expect(await bridge.configurationNonce()).to.equal(applied);
  }

  /** `voter`'s vote for `fee` at nonce 0 applies it: `KLAYFeeChanged`, the fee set, one configuration change. */
  async function expectVoteApplies(bridge: Bridge, voter: Operator, fee: bigint) {
    await expect(bridge.connect(voter).setKLAYFee(fee, 0)).to.emit(bridge, "KLAYFeeChanged").withArgs(fee);
    await expectKLAYFee(bridge, fee, 1n);
  }

  describe("setKLAYFee", function () {
    it("at threshold 1 one operator's vote sets the fee, emits KLAYFeeChanged and moves configurationNonce", async function () {
      const { bridge, a } = await networkHelpers.loadFixture(deployed);
      await expectKLAYFee(bridge, 0n, 0n);
      await expectVoteApplies(bridge, a, 123n);
    });

    it("refuses a vote at another nonce than configurationNonce (ConfigurationNonceMismatch)", async function () {
      const { bridge, a } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.connect(a).setKLAYFee(1n, 1))
        .to.be.revertedWithCustomError(bridge, "ConfigurationNonceMismatch")
        .withArgs(1, 0);
      await bridge.connect(a).setKLAYFee(1n, 0);
      await expect(bridge.connect(a).setKLAYFee(2n, 0))
        .to.be.revertedWithCustomError(bridge, "ConfigurationNonceMismatch")
        .withArgs(0, 1);
    });

    it("at threshold 2 the first vote changes nothing; the second identical vote applies it", async function () {
      const { bridge, a, b } = await networkHelpers.loadFixture(configTwoOfFour);
      await expect(bridge.connect(a).setKLAYFee(50n, 0)).not.to.emit(bridge, "KLAYFeeChanged");
      await expectKLAYFee(bridge, 0n, 0n);
      await expectVoteApplies(bridge, b, 50n);
    });

    it("votes for different values do not combine", async function () {
      const { bridge, a, b, c } = await networkHelpers.loadFixture(configTwoOfFour);
      await expect(bridge.connect(a).setKLAYFee(50n, 0)).not.to.emit(bridge, "KLAYFeeChanged");
      await expect(bridge.connect(b).setKLAYFee(60n, 0)).not.to.emit(bridge, "KLAYFeeChanged");
      await expectKLAYFee(bridge, 0n, 0n);
      await expectVoteApplies(bridge, c, 60n);
      // A's vote for 50 at nonce 0 is stale now.
      await expect(bridge.connect(a).setKLAYFee(50n, 0))
        .to.be.revertedWithCustomError(bridge, "ConfigurationNonceMismatch")
        .withArgs(0, 1);
    });

    it("the same operator voting twice does not reach threshold 2", async function () {
      const { bridge, a } = await networkHelpers.loadFixture(configTwoOfFour);
      await bridge.connect(a).setKLAYFee(50n, 0);
      await expect(bridge.connect(a).setKLAYFee(50n, 0)).not.to.emit(bridge, "KLAYFeeChanged");
      expect(await bridge.configurationNonce()).to.equal(0n);
    });

    it("follows the configuration threshold, not the value-transfer one", async function () {
      const { bridge, a } = await networkHelpers.loadFixture(deployed);
      await bridge.setOperatorThreshold(VoteType.ValueTransfer, 3);
      await expect(bridge.connect(a).setKLAYFee(9n, 0)).to.emit(bridge, "KLAYFeeChanged").withArgs(9n);
    });

    it("refuses a non-operator, the owner included once it is no operator (NotOperator)", async function () {
      const { bridge, owner, stranger } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.connect(stranger).setKLAYFee(1n, 0))
        .to.be.revertedWithCustomError(bridge, "NotOperator")
        .withArgs(stranger.address);
      await bridge.deregisterOperator(owner);
      await expect(bridge.setKLAYFee(1n, 0)).to.be.revertedWithCustomError(bridge, "NotOperator").withArgs(owner.address);
    });
  });

  describe("setERC20Fee", function () {
    it("sets the fee of one token, emits ERC20FeeChanged and moves configurationNonce", async function () {
      const { bridge, a, token } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.connect(a).setERC20Fee(token, 77n, 0)).to.emit(bridge, "ERC20FeeChanged").withArgs(token, 77n);
      expect(await bridge.feeOfERC20(token)).to.equal(77n);
      expect(await bridge.feeOfERC20(ethers.ZeroAddress)).to.equal(0n);
      expect(await bridge.configurationNonce()).to.equal(1n);
    });

    it("at threshold 2 needs two identical votes; other tokens or fees do not combine", async function () {
      const { bridge, a, b, c, owner, token } = await networkHelpers.loadFixture(configTwoOfFour);
      const other = ethers.Wallet.createRandom().address;
      await expect(bridge.connect(a).setERC20Fee(token, 5n, 0)).not.to.emit(bridge, "ERC20FeeChanged");
      await expect(bridge.connect(b).setERC20Fee(other, 5n, 0)).not.to.emit(bridge, "ERC20FeeChanged");
      await expect(bridge.connect(c).setERC20Fee(token, 6n, 0)).not.to.emit(bridge, "ERC20FeeChanged");
      expect(await bridge.configurationNonce()).to.equal(0n);
      await expect(bridge.connect(owner).setERC20Fee(token, 5n, 0))
        .to.emit(bridge, "ERC20FeeChanged")
        .withArgs(token, 5n);
      expect(await bridge.feeOfERC20(token)).to.equal(5n);
      expect(await bridge.feeOfERC20(other)).to.equal(0n);
      expect(await bridge.configurationNonce()).to.equal(1n);
    });

    it("refuses a wrong nonce and a non-operator", async function () {
      const { bridge, a, stranger, token } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.connect(a).setERC20Fee(token, 5n, 3))
        .to.be.revertedWithCustomError(bridge, "ConfigurationNonceMismatch")
        .withArgs(3, 0);
      await expect(bridge.connect(stranger).setERC20Fee(token, 5n, 0))
        .to.be.revertedWithCustomError(bridge, "NotOperator")
        .withArgs(stranger.address);
    });

    it("KLAY and token fee votes share one configurationNonce", async function () {
      const { bridge, a, token } = await networkHelpers.loadFixture(deployed);
      await bridge.connect(a).setKLAYFee(1n, 0);
      await expect(bridge.connect(a).setERC20Fee(token, 2n, 0))
        .to.be.revertedWithCustomError(bridge, "ConfigurationNonceMismatch")
        .withArgs(0, 1);
      await bridge.connect(a).setERC20Fee(token, 2n, 1);
      await bridge.connect(a).setKLAYFee(3n, 2);
      expect(await bridge.configurationNonce()).to.equal(3n);
      expect(await bridge.feeOfKLAY()).to.equal(3n);
      expect(await bridge.feeOfERC20(token)).to.equal(2n);
    });

    it("at threshold 2 a KLAY fee vote and a token fee vote at the same nonce do not combine", async function () {
      const { bridge, a, b, token } = await networkHelpers.loadFixture(configTwoOfFour);
      await bridge.connect(a).setKLAYFee(5n, 0);
      await expect(bridge.connect(b).setERC20Fee(token, 5n, 0)).not.to.emit(bridge, "ERC20FeeChanged");
      expect(await bridge.configurationNonce()).to.equal(0n);
    });
  });

  describe("setFeeReceiver", function () {
    it("the owner sets (and clears) the fee receiver, with FeeReceiverChanged; no vote, no nonce", async function () {
      const { bridge, feeReceiver } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.feeReceiver()).to.equal(ethers.ZeroAddress);
      await expect(bridge.setFeeReceiver(feeReceiver)).to.emit(bridge, "FeeReceiverChanged").withArgs(feeReceiver.address);
      expect(await bridge.feeReceiver()).to.equal(feeReceiver.address);
      await expect(bridge.setFeeReceiver(ethers.ZeroAddress))
        .to.emit(bridge, "FeeReceiverChanged")
        .withArgs(ethers.ZeroAddress);
      expect(await bridge.feeReceiver()).to.equal(ethers.ZeroAddress);
      expect(await bridge.configurationNonce()).to.equal(0n);
    });

    it("refuses anyone but the owner, operators included", async function () {
      const { bridge, a, feeReceiver } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.connect(a).setFeeReceiver(feeReceiver))
        .to.be.revertedWithCustomError(bridge, "OwnableUnauthorizedAccount")
        .withArgs(a.address);
    });
  });
});
