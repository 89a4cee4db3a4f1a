import { expect } from "chai";
import { network } from "hardhat";

import { deployBridge, handleKLAY, klayTransfer, TokenType } from "../helpers/bridge.js";
import { expectOwnerOnly } from "../helpers/ownable.js";

const { ethers, networkHelpers } = await network.create();

describe("Bridge KLAY requests (source side)", function () {
  async function deployed() {
    const [owner, user, recipient, feeReceiver, stranger] = await ethers.getSigners();
    const bridge = await deployBridge(ethers);
    return { bridge, owner, user, recipient, feeReceiver, stranger };
  }

  /** A KLAY fee of 20 wei voted by the sole operator, paid to `feeReceiver`. */
  async function withFee() {
    const f = await deployed();
    await f.bridge.setKLAYFee(20n, 0);
    await f.bridge.setFeeReceiver(f.feeReceiver);
    return f;
  }

  /** A test: on `fixture`'s bridge, a request of 1,000 wei with `value` attached is refused with `error(args)`. */
  function itRefusesARequestOf1000(title: string, fixture: typeof deployed, value: bigint, error: string, args: bigint[]) {
    it(title, async function () {
      const { bridge, user, recipient } = await networkHelpers.loadFixture(fixture);
      await expect(bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, "0x", { value }))
        .to.be.revertedWithCustomError(bridge, error)
        .withArgs(...args);
    });
  }

  describe("requestKLAYTransfer", function () {
    it("locks the value and emits RequestValueTransfer with Klaytn's fields; the nonce counts up", async function () {
      const { bridge, user, recipient } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.requestNonce()).to.equal(0n);
      const tx = bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, "0xabcd", { value: 1_000n });
      await expect(tx)
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, user.address, recipient.address, ethers.ZeroAddress, 1_000n, 0, 0, "0xabcd");
      await expect(tx).to.changeEtherBalances(ethers, [user, bridge], [-1_000n, 1_000n]);
      await expect(bridge.connect(user).requestKLAYTransfer(recipient, 7n, "0x", { value: 7n }))
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, user.address, recipient.address, ethers.ZeroAddress, 7n, 1, 0, "0x");
      expect(await bridge.requestNonce()).to.equal(2n);
    });

    itRefusesARequestOf1000("refuses msg.value below the value (InsufficientValue)", deployed, 999n, "InsufficientValue", [
      999n,
      1_000n,
    ]);

    it("refuses a zero value (ZeroAmount), also when KLAY is attached as fee limit", async function () {
      const { bridge, user, recipient } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.connect(user).requestKLAYTransfer(recipient, 0n, "0x")).to.be.revertedWithCustomError(
        bridge,
        "ZeroAmount",
      );
      await expect(
        bridge.connect(user).requestKLAYTransfer(recipient, 0n, "0x", { value: 10n }),
      ).to.be.revertedWithCustomError(bridge, "ZeroAmount");
      expect(await bridge.requestNonce()).to.equal(0n);
    });

    it("refuses the zero recipient (ZeroRecipient)", async function () {
      const { bridge, user } = await networkHelpers.loadFixture(deployed);
      await expect(
        bridge.connect(user).requestKLAYTransfer(ethers.ZeroAddress, 1n, "0x", { value: 1n }),
      ).to.be.revertedWithCustomError(bridge, "ZeroRecipient");
    });

    it("names the first refusal that applies: stopped, then zero recipient, then KLAY locked, then zero value", async function () {
      const { bridge, user } = await networkHelpers.loadFixture(deployed);
      const request = (value: bigint) => bridge.connect(user).requestKLAYTransfer(ethers.ZeroAddress, value, "0x", { value });
      await bridge.lockKLAY();
      await bridge.start(false);
      await expect(request(0n)).to.be.revertedWithCustomError(bridge, "BridgeNotRunning");
      await bridge.start(true);
      await expect(request(0n)).to.be.revertedWithCustomError(bridge, "ZeroRecipient");
      const locked = bridge.connect(user).requestKLAYTransfer(user, 0n, "0x");
      await expect(locked).to.be.revertedWithCustomError(bridge, "KLAYIsLocked");
      await bridge.unlockKLAY();
      await expect(bridge.connect(user).requestKLAYTransfer(user, 0n, "0x")).to.be.revertedWithCustomError(bridge, "ZeroAmount");
    });

    it("refuses a request past the last nonce (RequestNoncesExhausted) and changes nothing", async function () {
      const { bridge, user, recipient, feeReceiver } = await networkHelpers.loadFixture(deployed);
      await bridge.setFeeReceiver(feeReceiver);
      await bridge.connect(user).requestKLAYTransfer(recipient, 1n, "0x", { value: 1n });
      // the status slot: the fee receiver, then the nonce (1) and the running flag above it
      const expected = (1n << 224n) | (1n << 160n) | BigInt(feeReceiver.address);
      let slot = 0n;
      while (slot < 64n && BigInt(await ethers.provider.getStorage(bridge, slot)) !== expected) slot++;
      expect(slot).to.be.lessThan(64n);
      const last = (1n << 224n) | (0xffffffffffffffffn << 160n) | BigInt(feeReceiver.address);
      await networkHelpers.setStorageAt(await bridge.getAddress(), slot, last);
      expect(await bridge.requestNonce()).to.equal(2n ** 64n - 1n);
      await expect(bridge.connect(user).requestKLAYTransfer(recipient, 1n, "0x", { value: 1n })).to.be.revertedWithCustomError(
        bridge,
        "RequestNoncesExhausted",
      );
      expect(BigInt(await ethers.provider.getStorage(bridge, slot))).to.equal(last);
      expect(await bridge.isRunning()).to.equal(true);
    });

    it("writes RequestValueTransfer byte for byte as the ABI encodes it: extra data of any length, near the last nonce, receive and fallback", async function () {
      const { bridge, user, recipient, feeReceiver } = await networkHelpers.loadFixture(withFee);
      await bridge.setTransferLimits(ethers.ZeroAddress, 1n, 10n ** 30n, 10n ** 30n, 10n ** 30n); // the limited flag set
      // the status word, found by its fee receiver; the nonce moved near its last value, so that any high bit left
      // over in the emitted nonce would show
      let slot = 0n;
      const mask160 = (1n << 160n) - 1n;
      while (slot < 64n && (BigInt(await ethers.provider.getStorage(bridge, slot)) & mask160) !== BigInt(feeReceiver.address)) slot++;
      expect(slot).to.be.lessThan(64n);
      let nonce = 2n ** 64n - 11n;
      const status = BigInt(await ethers.provider.getStorage(bridge, slot));
      await networkHelpers.setStorageAt(await bridge.getAddress(), slot, (status & ~(((1n << 64n) - 1n) << 160n)) | (nonce << 160n));
      const event = bridge.interface.getEvent("RequestValueTransfer");
      const encode = (value: bigint, extraData: string) =>
        ethers.AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint64", "uint256", "bytes"], [0, value, nonce, 20n, extraData]);
      const emitted = async (tx: Promise<{ wait(): Promise<unknown> }>) => {
        const receipt = (await (await tx).wait()) as { logs: { topics: readonly string[]; data: string }[] };
        return receipt.logs.find((log) => log.topics[0] === event.topicHash)!;
      };
      for (const length of [0, 1, 31, 32, 33, 64, 65, 300]) {
        const extraData = ethers.hexlify(Uint8Array.from({ length }, (_, i) => (i * 37 + 1) % 256));
        const log = await emitted(bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, extraData, { value: 1_030n }));
        expect(log.data, `extra data of ${length} bytes`).to.equal(encode(1_000n, extraData));
        const topic = (address: string) => ethers.zeroPadValue(address, 32).toLowerCase();
        expect(log.topics).to.deep.equal([event.topicHash, topic(user.address), topic(recipient.address), ethers.ZeroHash]);
        nonce++;
      }
      for (const data of ["0x", "0x12345678aabb"]) {
        const log = await emitted(user.sendTransaction({ to: bridge, value: 500n, data }));
        expect(log.data, `a payment with data ${data}`).to.equal(encode(480n, "0x"));
        nonce++;
      }
      expect(await bridge.requestNonce()).to.equal(nonce);
      expect(await bridge.isRunning()).to.equal(true);
    });

    it("refunds the whole fee limit when no fee receiver is set", async function () {
      const { bridge, user, recipient } = await networkHelpers.loadFixture(deployed);
      await bridge.setKLAYFee(20n, 0); // a fee, but nobody to pay it to
      const tx = bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, "0x", { value: 1_500n });
      await expect(tx)
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, user.address, recipient.address, ethers.ZeroAddress, 1_000n, 0, 0, "0x");
      await expect(tx).to.changeEtherBalances(ethers, [user, bridge], [-1_000n, 1_000n]);
    });
  });

  describe("fees", function () {
    it("pays the fee to the fee receiver and the change back to the sender", async function () {
      const { bridge, user, recipient, feeReceiver } = await networkHelpers.loadFixture(withFee);
      const tx = bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, "0x", { value: 1_050n });
      await expect(tx)
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, user.address, recipient.address, ethers.ZeroAddress, 1_000n, 0, 20n, "0x");
      await expect(tx).to.changeEtherBalances(ethers, [user, feeReceiver, bridge], [-1_020n, 20n, 1_000n]);
    });

    it("an exact fee limit leaves no change", async function () {
      const { bridge, user, recipient, feeReceiver } = await networkHelpers.loadFixture(withFee);
      await expect(
        bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, "0x", { value: 1_020n }),
      ).to.changeEtherBalances(ethers, [user, feeReceiver, bridge], [-1_020n, 20n, 1_000n]);
    });

    itRefusesARequestOf1000("refuses a fee limit below the fee (InsufficientFeeLimit)", withFee, 1_019n, "InsufficientFeeLimit", [
      19n,
      20n,
    ]);

    it("with a receiver but a zero fee the whole limit is refunded", async function () {
      const { bridge, user, recipient, feeReceiver } = await networkHelpers.loadFixture(deployed);
      await bridge.setFeeReceiver(feeReceiver);
      const tx = bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, "0x", { value: 1_300n });
      await expect(tx).to.changeEtherBalances(ethers, [user, feeReceiver, bridge], [-1_000n, 0n, 1_000n]);
      await expect(tx)
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, user.address, recipient.address, ethers.ZeroAddress, 1_000n, 0, 0, "0x");
    });

    it("a fee receiver refusing KLAY makes requests revert; a requester refusing its change too", async function () {
      const { bridge, user, recipient } = await networkHelpers.loadFixture(withFee);
      const rejecter = await ethers.deployContract("KLAYRejecter");
      await bridge.setFeeReceiver(rejecter);
      await expect(bridge.connect(user).requestKLAYTransfer(recipient, 1_000n, "0x", { value: 1_020n }))
        .to.be.revertedWithCustomError(bridge, "KLAYTransferFailed")
        .withArgs(await rejecter.getAddress(), 20n);

      await bridge.setFeeReceiver(ethers.ZeroAddress);
      const request = bridge.interface.encodeFunctionData("requestKLAYTransfer", [recipient.address, 1_000n, "0x"]);
      await expect(rejecter.execute(bridge, request, { value: 1_001n }))
        .to.be.revertedWithCustomError(bridge, "KLAYTransferFailed")
        .withArgs(await rejecter.getAddress(), 1n);
      // Without change there is nothing to send back: the contract's request goes through.
      await expect(rejecter.execute(bridge, request, { value: 1_000n }))
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, await rejecter.getAddress(), recipient.address, ethers.ZeroAddress, 1_000n, 0, 0, "0x");
    });
  });

  describe("plain KLAY sent to the bridge", function () {
    for (const { title, fixture, feeVoted, requested, fee } of [
      { title: "is a request for the sender itself (receive)", fixture: deployed, feeVoted: false, requested: 5_000n, fee: 0n },
      { title: "takes feeOfKLAY out of the payment, paid to the fee receiver", fixture: withFee, feeVoted: false, requested: 4_980n, fee: 20n },
      {
        title: "without a fee receiver feeOfKLAY is held back from the value and refunded (Klaytn's fallback)",
        fixture: deployed,
        feeVoted: true,
        requested: 4_980n,
        fee: 0n,
      },
    ]) {
      it(title, async function () {
        const { bridge, user, feeReceiver } = await networkHelpers.loadFixture(fixture);
        if (feeVoted) await bridge.setKLAYFee(20n, 0);
        const tx = user.sendTransaction({ to: bridge, value: 5_000n });
        await expect(tx)
          .to.emit(bridge, "RequestValueTransfer")
          .withArgs(TokenType.KLAY, user.address, user.address, ethers.ZeroAddress, requested, 0, fee, "0x");
        // what is neither requested nor paid as a fee goes back to the sender
        await expect(tx).to.changeEtherBalances(ethers, [user, feeReceiver, bridge], [-(requested + fee), fee, requested]);
      });
    }

    it("refuses a payment that does not exceed the fee", async function () {
      const { bridge, user } = await networkHelpers.loadFixture(withFee);
      await expect(user.sendTransaction({ to: bridge, value: 19n }))
        .to.be.revertedWithCustomError(bridge, "InsufficientValue")
        .withArgs(19n, 20n);
      await expect(user.sendTransaction({ to: bridge, value: 20n })).to.be.revertedWithCustomError(bridge, "ZeroAmount");
    });

    it("a call with unknown data and value is a request (payable fallback); without value it is refused", async function () {
      const { bridge, user } = await networkHelpers.loadFixture(deployed);
      await expect(user.sendTransaction({ to: bridge, value: 300n, data: "0xdeadbeef01" }))
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, user.address, user.address, ethers.ZeroAddress, 300n, 0, 0, "0x");
      await expect(user.sendTransaction({ to: bridge, data: "0xdeadbeef01" })).to.be.revertedWithCustomError(
        bridge,
        "ZeroAmount",
      );
      await expect(user.sendTransaction({ to: bridge })).to.be.revertedWithCustomError(bridge, "ZeroAmount");
      expect(await bridge.requestNonce()).to.equal(1n);
    });

    it("chargeWithoutEvent adds liquidity with no event and no request", async function () {
      const { bridge, user } = await networkHelpers.loadFixture(deployed);
      const tx = await bridge.connect(user).chargeWithoutEvent({ value: 12_345n });
      const receipt = await tx.wait();
      expect(receipt!.logs).to.have.length(0);
      expect(await ethers.provider.getBalance(bridge)).to.equal(12_345n);
      expect(await bridge.requestNonce()).to.equal(0n);
    });
  });

  describe("running status", function () {
    it("start(false) stops every KLAY request; start(true) resumes; both emit RunningStatusChanged", async function () {
      const { bridge, user, recipient } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.isRunning()).to.equal(true);
      await expect(bridge.start(false)).to.emit(bridge, "RunningStatusChanged").withArgs(false);
      expect(await bridge.isRunning()).to.equal(false);
      await expect(
        bridge.connect(user).requestKLAYTransfer(recipient, 1n, "0x", { value: 1n }),
      ).to.be.revertedWithCustomError(bridge, "BridgeNotRunning");
      await expect(user.sendTransaction({ to: bridge, value: 1n })).to.be.revertedWithCustomError(
        bridge,
        "BridgeNotRunning",
      );
      await expect(bridge.start(true)).to.emit(bridge, "RunningStatusChanged").withArgs(true);
      await expect(bridge.connect(user).requestKLAYTransfer(recipient, 1n, "0x", { value: 1n })).to.emit(
        bridge,
        "RequestValueTransfer",
      );
    });

    it("setRunningStatus (Kaia's name) does the same", async function () {
      const { bridge, user } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.setRunningStatus(false)).to.emit(bridge, "RunningStatusChanged").withArgs(false);
      await expect(user.sendTransaction({ to: bridge, value: 1n })).to.be.revertedWithCustomError(
        bridge,
        "BridgeNotRunning",
      );
      await expect(bridge.setRunningStatus(true)).to.emit(bridge, "RunningStatusChanged").withArgs(true);
      expect(await bridge.isRunning()).to.equal(true);
    });

    it("a stopped bridge still handles transfers", async function () {
      const { bridge, owner, recipient } = await networkHelpers.loadFixture(deployed);
      await bridge.chargeWithoutEvent({ value: 10_000n });
      await bridge.start(false);
      await expect(handleKLAY(bridge, owner, klayTransfer(recipient.address, 0))).to.changeEtherBalance(
        ethers,
        recipient,
        1_000n,
      );
    });

    it("only the owner changes the running status", async function () {
      const { bridge, stranger } = await networkHelpers.loadFixture(deployed);
      await expectOwnerOnly(bridge, stranger, [
        (asStranger) => asStranger.start(false),
        (asStranger) => asStranger.setRunningStatus(false),
      ]);
    });
  });

  describe("KLAY lock", function () {
    it("lockKLAY stops KLAY requests, unlockKLAY resumes them, with KLAYLocked / KLAYUnlocked", async function () {
      const { bridge, user, recipient } = await networkHelpers.loadFixture(deployed);
      expect(await bridge.isLockedKLAY()).to.equal(false);
      await expect(bridge.lockKLAY()).to.emit(bridge, "KLAYLocked");
      expect(await bridge.isLockedKLAY()).to.equal(true);
      await expect(
        bridge.connect(user).requestKLAYTransfer(recipient, 1n, "0x", { value: 1n }),
      ).to.be.revertedWithCustomError(bridge, "KLAYIsLocked");
      await expect(user.sendTransaction({ to: bridge, value: 1n })).to.be.revertedWithCustomError(bridge, "KLAYIsLocked");
      await expect(bridge.unlockKLAY()).to.emit(bridge, "KLAYUnlocked");
      expect(await bridge.isLockedKLAY()).to.equal(false);
      await expect(bridge.connect(user).requestKLAYTransfer(recipient, 1n, "0x", { value: 1n })).to.emit(
        bridge,
        "RequestValueTransfer",
      );
    });

    it("refuses to lock twice (KLAYIsLocked) and to unlock what is not locked (KLAYNotLocked)", async function () {
      const { bridge } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.unlockKLAY()).to.be.revertedWithCustomError(bridge, "KLAYNotLocked");
      await bridge.lockKLAY();
      await expect(bridge.lockKLAY()).to.be.revertedWithCustomError(bridge, "KLAYIsLocked");
    });

    it("only the owner locks and unlocks", async function () {
      const { bridge, stranger } = await networkHelpers.loadFixture(deployed);
      await expect(bridge.connect(stranger).lockKLAY())
        .to.be.revertedWithCustomError(bridge, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await bridge.lockKLAY();
      await expect(bridge.connect(stranger).unlockKLAY())
        .to.be.revertedWithCustomError(bridge, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
    });

    it("locked KLAY is still paid out by handles", async function () {
      const { bridge, owner, recipient } = await networkHelpers.loadFixture(deployed);
      await bridge.chargeWithoutEvent({ value: 10_000n });
      await bridge.lockKLAY();
      await expect(handleKLAY(bridge, owner, klayTransfer(recipient.address, 0))).to.emit(bridge, "HandleValueTransfer");
    });
  });
});
