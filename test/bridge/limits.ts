// Transfer limits per token and for KLAY (Bridge.setTransferLimits, the TransferLimits ledger): requests beyond them
// are refused; handles above the maximum or the daily handle limit are held, never lost, until the owner releases
// them or the operators cancel them (and the source bridge refunds).
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import type { SignedTransfer } from "../../src/signatures.js";
import { bothModes, ParkedStatus, TokenType, transferContentHash } from "../helpers/bridge.js";
import {
  cancelSignatures,
  failedArgs,
  handleBy,
  LIQUIDITY,
  ONE,
  paidArgs,
  parkedArgs,
  PATHS,
  recoveryDestination,
  refundSignatures,
  transferOf,
  type Destination,
} from "../helpers/recovery.js";

const { ethers, networkHelpers } = await network.create();

const DAY = 86_400;
const KLAY = ethers.ZeroAddress;

/** A destination bridge (see recoveryDestination) whose requester (`stranger`) holds KIP7 and NFTs 10..12. */
async function withRequester(modeMintBurn: boolean) {
  const f = await recoveryDestination(ethers, modeMintBurn);
  const requester = f.stranger;
  if (modeMintBurn) await f.kip7.getFunction("mint")(requester, 10_000n);
  else await f.kip7.getFunction("transfer")(requester, 10_000n);
  for (let nft = 10n; nft <= 12n; nft++) await f.kip17.getFunction("mintWithTokenURI")(requester, nft, `ipfs://nft/${nft}`);
  await f.kip7.connect(requester).getFunction("approve")(f.bridge, 10_000n);
  await f.kip17.connect(requester).getFunction("setApprovalForAll")(f.bridge, true);
  return { ...f, requester, limits: await ethers.getContractAt("TransferLimits", await f.bridge.transferLimits()) };
}
const { lockMode, MODES } = bothModes(withRequester);
type Fixture = Awaited<ReturnType<typeof lockMode>>;

/** Moves the chain to `hour` o'clock UTC of the next day (so a test never straddles midnight by chance). */
async function nextDay(hour = 1) {
  const now = await networkHelpers.time.latest();
  await networkHelpers.time.increaseTo((Math.floor(now / DAY) + 1) * DAY + hour * 3600);
}

function requestKIP7(f: Fixture, value: bigint) {
  return f.bridge.connect(f.requester).requestERC20Transfer(f.kip7, f.user, value, 0n, "0x");
}

function requestKLAY(f: Fixture, value: bigint) {
  return f.bridge.connect(f.requester).requestKLAYTransfer(f.user, value, "0x", { value });
}

/** What a refused request must leave as it was. */
async function requestState(f: Fixture, token: string) {
  return {
    nonce: await f.bridge.requestNonce(),
    requestedToday: await f.limits.requestedToday(token),
    bridgeKlay: await ethers.provider.getBalance(f.bridge),
    requesterKIP7: await f.kip7.getFunction("balanceOf")(f.requester),
    bridgeKIP7: await f.kip7.getFunction("balanceOf")(f.bridge),
  };
}

async function parked(f: Destination, t: SignedTransfer) {
  const [status, hash] = await f.recovery.parkedTransfer(t.requestNonce);
  return { status: Number(status), exact: hash === transferContentHash(t) };
}

function kip7Handle(f: Destination, nonce: bigint, value: bigint, to = f.user.address): SignedTransfer {
  return transferOf(nonce, to, { tokenType: TokenType.ERC20, tokenAddress: f.kip7.target as string, valueOrTokenId: value });
}

describe("Transfer limits", function () {
  describe("configuration", function () {
    it("are off by default: any amount is requested and paid, and nothing is counted", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      for (const token of [KLAY, f.kip7.target as string, f.kip17.target as string]) {
        expect(await f.limits.limitsOf(token)).to.deep.equal([0n, 0n, 0n, 0n]);
      }
      await expect(requestKIP7(f, 10_000n)).to.emit(f.bridge, "RequestValueTransfer");
      await expect(requestKLAY(f, 1n)).to.emit(f.bridge, "RequestValueTransfer");
      await expect(handleBy(f, "signed", transferOf(0n, f.user.address, { valueOrTokenId: LIQUIDITY }))).to.emit(
        f.bridge,
        "HandleValueTransfer",
      );
      for (const token of [KLAY, f.kip7.target as string]) {
        expect(await f.limits.requestedToday(token)).to.equal(0n);
        expect(await f.limits.handledToday(token)).to.equal(0n);
      }
    });

    it("the owner sets them (TransferLimitsChanged); all zero turns them off", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      await expect(f.bridge.setTransferLimits(f.kip7, 10n, 100n, 1_000n, 2_000n))
        .to.emit(f.bridge, "TransferLimitsChanged")
        .withArgs(f.kip7.target, 10n, 100n, 1_000n, 2_000n);
      expect(await f.limits.limitsOf(f.kip7)).to.deep.equal([10n, 100n, 1_000n, 2_000n]);
      await expect(requestKIP7(f, 5n)).to.be.revertedWithCustomError(f.bridge, "BelowMinimumTransfer");
      await expect(f.bridge.setTransferLimits(f.kip7, 0n, 0n, 0n, 0n))
        .to.emit(f.bridge, "TransferLimitsChanged")
        .withArgs(f.kip7.target, 0n, 0n, 0n, 0n);
      await expect(requestKIP7(f, 5n)).to.emit(f.bridge, "RequestValueTransfer");
      expect(await f.limits.requestedToday(f.kip7)).to.equal(0n);
      // a minimum alone (no maximum) is valid
      await expect(f.bridge.setTransferLimits(KLAY, 7n, 0n, 0n, 0n)).to.emit(f.bridge, "TransferLimitsChanged");
    });

    it("refuses a non-owner, a minimum above the maximum, an unregistered token; the ledger takes only its bridge", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      for (const caller of [f.op2, f.outsider] as HardhatEthersSigner[]) {
        await expect(f.bridge.connect(caller).setTransferLimits(f.kip7, 0n, 1n, 0n, 0n))
          .to.be.revertedWithCustomError(f.bridge, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
      }
      await expect(f.bridge.setTransferLimits(f.kip7, 101n, 100n, 0n, 0n))
        .to.be.revertedWithCustomError(f.bridge, "InvalidLimits")
        .withArgs(f.kip7.target);
      await expect(f.bridge.setTransferLimits(KLAY, 2n, 1n, 0n, 0n))
        .to.be.revertedWithCustomError(f.bridge, "InvalidLimits")
        .withArgs(KLAY);
      const other = ethers.Wallet.createRandom().address;
      await expect(f.bridge.setTransferLimits(other, 0n, 1n, 0n, 0n))
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(other);
      for (const caller of [f.owner, f.outsider] as HardhatEthersSigner[]) {
        await expect(f.limits.connect(caller).setLimits(f.kip7, { minPerTransfer: 0n, maxPerTransfer: 1n, dailyRequestLimit: 0n, dailyHandleLimit: 0n }))
          .to.be.revertedWithCustomError(f.limits, "NotBridge")
          .withArgs(caller.address);
        await expect(f.limits.connect(caller).consumeRequest(f.kip7, 1n)).to.be.revertedWithCustomError(f.limits, "NotBridge");
        await expect(f.limits.connect(caller).consumeHandle(f.kip7, 1n)).to.be.revertedWithCustomError(f.limits, "NotBridge");
        await expect(f.limits.connect(caller).returnHandle(f.kip7, 1n)).to.be.revertedWithCustomError(f.limits, "NotBridge");
      }
      expect(await f.limits.limitsOf(f.kip7)).to.deep.equal([0n, 0n, 0n, 0n]);
      expect(await f.limits.limitsOf(KLAY)).to.deep.equal([0n, 0n, 0n, 0n]);
    });
  });

  describe("deregistration", function () {
    // Vulnerable variant: the token's limits flag dropped with its registry entry while the ledger kept the limits,
    // so a token registered again showed limits that no request consulted.
    it("deregistering a token clears its limits; registered again, it starts without limits", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      await f.bridge.setTransferLimits(f.kip7, 0n, 1n, 0n, 0n);
      const counterpart = ethers.Wallet.createRandom().address;
      await expect(f.bridge.deregisterToken(f.kip7))
        .to.emit(f.bridge, "TransferLimitsChanged")
        .withArgs(f.kip7.target, 0n, 0n, 0n, 0n);
      expect(await f.limits.limitsOf(f.kip7)).to.deep.equal([0n, 0n, 0n, 0n]);
      await f.bridge.registerToken(f.kip7, counterpart);
      await expect(requestKIP7(f, 100n)).to.emit(f.bridge, "RequestValueTransfer");
      // and limits set again apply again
      await f.bridge.setTransferLimits(f.kip7, 0n, 1n, 0n, 0n);
      await expect(requestKIP7(f, 100n))
        .to.be.revertedWithCustomError(f.limits, "AboveMaximumTransfer")
        .withArgs(f.kip7.target, 100n, 1n);
    });

    it("a token without limits deregisters without touching the ledger", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      await expect(f.bridge.deregisterToken(f.kip7)).not.to.emit(f.bridge, "TransferLimitsChanged");
    });
  });

  describe("requests", function () {
    for (const [mode, fixture] of MODES) {
      it(`KIP7 (${mode} mode): minimum, maximum and daily limit refused with their errors, changing nothing`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await nextDay();
        await f.bridge.setTransferLimits(f.kip7, 10n, 100n, 150n, 0n);
        const token = f.kip7.target as string;
        let before = await requestState(f, token);
        await expect(requestKIP7(f, 9n))
          .to.be.revertedWithCustomError(f.bridge, "BelowMinimumTransfer")
          .withArgs(token, 9n, 10n);
        await expect(requestKIP7(f, 101n))
          .to.be.revertedWithCustomError(f.bridge, "AboveMaximumTransfer")
          .withArgs(token, 101n, 100n);
        expect(await requestState(f, token)).to.deep.equal(before);
        await expect(requestKIP7(f, 100n)).to.emit(f.bridge, "RequestValueTransfer");
        await expect(requestKIP7(f, 40n)).to.emit(f.bridge, "RequestValueTransfer");
        expect(await f.limits.requestedToday(token)).to.equal(140n);
        before = await requestState(f, token);
        await expect(requestKIP7(f, 11n))
          .to.be.revertedWithCustomError(f.bridge, "DailyLimitExceeded")
          .withArgs(token, 11n, 140n, 150n);
        expect(await requestState(f, token)).to.deep.equal(before);
        await expect(requestKIP7(f, 10n)).to.emit(f.bridge, "RequestValueTransfer");
        expect(await f.limits.requestedToday(token)).to.equal(150n);
        expect(await f.bridge.requestNonce()).to.equal(3n);
        expect(await f.kip7.getFunction("balanceOf")(f.requester)).to.equal(10_000n - 150n);
        // the next UTC day starts afresh
        await nextDay(0);
        expect(await f.limits.requestedToday(token)).to.equal(0n);
        await expect(requestKIP7(f, 100n)).to.emit(f.bridge, "RequestValueTransfer");
        await expect(requestKIP7(f, 50n)).to.emit(f.bridge, "RequestValueTransfer");
        await expect(requestKIP7(f, 1n)).to.be.revertedWithCustomError(f.bridge, "BelowMinimumTransfer");
        await expect(requestKIP7(f, 10n))
          .to.be.revertedWithCustomError(f.bridge, "DailyLimitExceeded")
          .withArgs(token, 10n, 150n, 150n);
      });
    }

    it("KIP7 one-step requests (KIP7 safeTransfer to the bridge) are limited too", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      await f.bridge.setTransferLimits(f.kip7, 0n, 100n, 0n, 0n);
      const data = ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes"], [f.user.address, "0x"]);
      const safeTransfer = (value: bigint) =>
        f.kip7.connect(f.requester).getFunction("safeTransfer(address,uint256,bytes)")(f.bridge, value, data);
      await expect(safeTransfer(101n))
        .to.be.revertedWithCustomError(f.bridge, "AboveMaximumTransfer")
        .withArgs(f.kip7.target, 101n, 100n);
      await expect(safeTransfer(100n)).to.emit(f.bridge, "RequestValueTransfer");
      expect(await f.kip7.getFunction("balanceOf")(f.bridge)).to.equal(1_000n * ONE + 100n);
    });

    it("KLAY: minimum, maximum and daily limit, by requestKLAYTransfer and by a plain payment", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      await nextDay();
      await f.bridge.setTransferLimits(KLAY, ONE, 3n * ONE, 5n * ONE, 0n);
      const before = await requestState(f, KLAY);
      await expect(requestKLAY(f, ONE - 1n))
        .to.be.revertedWithCustomError(f.bridge, "BelowMinimumTransfer")
        .withArgs(KLAY, ONE - 1n, ONE);
      await expect(requestKLAY(f, 3n * ONE + 1n))
        .to.be.revertedWithCustomError(f.bridge, "AboveMaximumTransfer")
        .withArgs(KLAY, 3n * ONE + 1n, 3n * ONE);
      await expect(f.requester.sendTransaction({ to: f.bridge, value: 4n * ONE }))
        .to.be.revertedWithCustomError(f.bridge, "AboveMaximumTransfer")
        .withArgs(KLAY, 4n * ONE, 3n * ONE);
      expect(await requestState(f, KLAY)).to.deep.equal(before);
      await expect(requestKLAY(f, 3n * ONE)).to.changeEtherBalance(ethers, f.bridge, 3n * ONE);
      await expect(f.requester.sendTransaction({ to: f.bridge, value: 2n * ONE }))
        .to.emit(f.bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, f.requester.address, f.requester.address, KLAY, 2n * ONE, 1n, 0n, "0x");
      expect(await f.limits.requestedToday(KLAY)).to.equal(5n * ONE);
      await expect(requestKLAY(f, ONE))
        .to.be.revertedWithCustomError(f.bridge, "DailyLimitExceeded")
        .withArgs(KLAY, ONE, 5n * ONE, 5n * ONE);
      await nextDay();
      await expect(requestKLAY(f, ONE)).to.emit(f.bridge, "RequestValueTransfer");
      expect(await f.limits.requestedToday(KLAY)).to.equal(ONE);
      // KIP7 has no limits: not counted
      await expect(requestKIP7(f, 5_000n)).to.emit(f.bridge, "RequestValueTransfer");
      expect(await f.limits.requestedToday(f.kip7)).to.equal(0n);
    });

    for (const [mode, fixture] of MODES) {
      it(`KIP17 (${mode} mode): an NFT counts 1 against the daily limit`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await nextDay();
        await f.bridge.setTransferLimits(f.kip17, 0n, 0n, 2n, 0n);
        const request = (nft: bigint) => f.bridge.connect(f.requester).requestERC721Transfer(f.kip17, f.user, nft, "0x");
        await expect(request(10n)).to.emit(f.bridge, "RequestValueTransferEncoded");
        await expect(request(11n)).to.emit(f.bridge, "RequestValueTransferEncoded");
        expect(await f.limits.requestedToday(f.kip17)).to.equal(2n);
        await expect(request(12n))
          .to.be.revertedWithCustomError(f.bridge, "DailyLimitExceeded")
          .withArgs(f.kip17.target, 1n, 2n, 2n);
        expect(await f.kip17.getFunction("ownerOf")(12n)).to.equal(f.requester.address);
        expect(await f.bridge.requestNonce()).to.equal(2n);
        await nextDay();
        await expect(request(12n)).to.emit(f.bridge, "RequestValueTransferEncoded");
        expect(await f.limits.requestedToday(f.kip17)).to.equal(1n);
      });
    }
  });

  describe("handles", function () {
    for (const [mode, fixture] of MODES) {
      for (const path of PATHS) {
        it(`KIP7 above the maximum is held, not paid, and counts as handled (${mode} mode, ${path})`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          await f.bridge.setTransferLimits(f.kip7, 0n, 100n, 0n, 0n);
          const t = kip7Handle(f, 0n, 101n);
          const tx = handleBy(f, path, t);
          await expect(tx)
            .to.emit(f.bridge, "TransferHeld")
            .withArgs(...parkedArgs(t))
            .and.not.to.emit(f.bridge, "HandleValueTransfer")
            .and.not.to.emit(f.bridge, "HandleValueTransferFailed");
          await expect(tx).to.changeTokenBalances(ethers, f.kip7, [f.bridge, f.user], [0n, 0n]);
          expect(await f.bridge.isHandled(0n)).to.equal(true);
          expect(await f.bridge.lowerHandleNonce()).to.equal(1n);
          expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.Held, exact: true });
          expect(await f.limits.handledToday(f.kip7)).to.equal(0n);
          // up to the maximum is paid at once
          const small = kip7Handle(f, 1n, 100n);
          await expect(handleBy(f, path, small)).to.emit(f.bridge, "HandleValueTransfer").withArgs(...paidArgs(small, 2n));
          expect(await f.kip7.getFunction("balanceOf")(f.user)).to.equal(100n);
          // a held transfer is not retried: only the owner's release pays it
          await expect(f.recovery.retryTransfer(t))
            .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
            .withArgs(0n, ParkedStatus.Held);
          for (const caller of [f.op2, f.stranger] as HardhatEthersSigner[]) {
            await expect(f.recovery.connect(caller).releaseHeldTransfer(t))
              .to.be.revertedWithCustomError(f.recovery, "NotBridgeOwner")
              .withArgs(caller.address);
          }
          const release = f.recovery.connect(f.owner).releaseHeldTransfer(t);
          await expect(release).to.emit(f.recovery, "TransferReleased").withArgs(0n, true);
          await expect(release).to.emit(f.bridge, "HandleValueTransfer").withArgs(...paidArgs(t, 2n));
          await expect(release).to.changeTokenBalance(ethers, f.kip7, f.user, 101n);
          expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.None, exact: false });
          await expect(f.recovery.connect(f.owner).releaseHeldTransfer(t))
            .to.be.revertedWithCustomError(f.recovery, "TransferNotParked")
            .withArgs(0n, ParkedStatus.None);
        });
      }
    }

    for (const path of PATHS) {
      it(`KIP7 above the daily handle limit is held; the next day's handles are paid (${path})`, async function () {
        const f = await networkHelpers.loadFixture(lockMode);
        await nextDay();
        await f.bridge.setTransferLimits(f.kip7, 0n, 0n, 0n, 150n);
        await expect(handleBy(f, path, kip7Handle(f, 0n, 100n))).to.emit(f.bridge, "HandleValueTransfer");
        const held = kip7Handle(f, 1n, 60n);
        await expect(handleBy(f, path, held)).to.emit(f.bridge, "TransferHeld").withArgs(...parkedArgs(held));
        expect(await f.limits.handledToday(f.kip7)).to.equal(100n);
        await expect(handleBy(f, path, kip7Handle(f, 2n, 50n))).to.emit(f.bridge, "HandleValueTransfer");
        expect(await f.limits.handledToday(f.kip7)).to.equal(150n);
        const held2 = kip7Handle(f, 3n, 1n);
        await expect(handleBy(f, path, held2)).to.emit(f.bridge, "TransferHeld");
        expect(await f.kip7.getFunction("balanceOf")(f.user)).to.equal(150n);
        expect(await f.bridge.lowerHandleNonce()).to.equal(4n);
        await nextDay();
        expect(await f.limits.handledToday(f.kip7)).to.equal(0n);
        await expect(handleBy(f, path, kip7Handle(f, 4n, 150n))).to.emit(f.bridge, "HandleValueTransfer");
        // the held ones wait for the owner, whatever the day
        expect(await parked(f, held)).to.deep.equal({ status: ParkedStatus.Held, exact: true });
        await expect(f.recovery.releaseHeldTransfer(held)).to.emit(f.recovery, "TransferReleased").withArgs(1n, true);
        expect(await f.kip7.getFunction("balanceOf")(f.user)).to.equal(360n);
      });
    }

    it("KLAY handles: above the maximum or the daily handle limit held, the rest paid", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      await nextDay();
      await f.bridge.setTransferLimits(KLAY, 0n, 2n * ONE, 0n, 3n * ONE);
      const big = transferOf(0n, f.user.address, { valueOrTokenId: 2n * ONE + 1n });
      await expect(handleBy(f, "votes", big)).to.emit(f.bridge, "TransferHeld").withArgs(...parkedArgs(big));
      await expect(handleBy(f, "signed", transferOf(1n, f.user.address, { valueOrTokenId: 2n * ONE }))).to.changeEtherBalance(
        ethers,
        f.user,
        2n * ONE,
      );
      const over = transferOf(2n, f.user.address, { valueOrTokenId: ONE + 1n });
      await expect(handleBy(f, "signed", over)).to.emit(f.bridge, "TransferHeld").withArgs(...parkedArgs(over));
      await expect(handleBy(f, "votes", transferOf(3n, f.user.address, { valueOrTokenId: ONE }))).to.changeEtherBalance(
        ethers,
        f.user,
        ONE,
      );
      expect(await f.limits.handledToday(KLAY)).to.equal(3n * ONE);
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(LIQUIDITY - 3n * ONE);
      await expect(f.recovery.releaseHeldTransfer(over)).to.changeEtherBalance(ethers, f.user, ONE + 1n);
      expect(await parked(f, big)).to.deep.equal({ status: ParkedStatus.Held, exact: true });
    });

    for (const [mode, fixture] of MODES) {
      it(`KIP17 handles count 1 against the daily handle limit (${mode} mode)`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await nextDay();
        await f.bridge.setTransferLimits(f.kip17, 0n, 0n, 0n, 1n);
        const nft = (nonce: bigint, id: bigint) =>
          transferOf(nonce, f.user.address, { tokenType: TokenType.ERC721, tokenAddress: f.kip17.target as string, valueOrTokenId: id, tokenURI: `ipfs://nft/${id}` });
        await expect(handleBy(f, "signed", nft(0n, 1n))).to.emit(f.bridge, "HandleValueTransfer");
        expect(await f.limits.handledToday(f.kip17)).to.equal(1n);
        const held = nft(1n, 2n);
        await expect(handleBy(f, "votes", held)).to.emit(f.bridge, "TransferHeld").withArgs(...parkedArgs(held));
        expect(await f.kip17.getFunction("ownerOf")(1n)).to.equal(f.user.address);
        if (!f.modeMintBurn) expect(await f.kip17.getFunction("ownerOf")(2n)).to.equal(await f.bridge.getAddress());
        await expect(f.recovery.releaseHeldTransfer(held)).to.emit(f.bridge, "HandleValueTransfer").withArgs(...paidArgs(held, 2n));
        expect(await f.kip17.getFunction("ownerOf")(2n)).to.equal(f.user.address);
      });
    }

    it("a released transfer whose payout fails becomes failed; a retry, counted against the limits, pays it once the cause is gone", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      await f.bridge.setTransferLimits(KLAY, 0n, ONE, 0n, 0n);
      const burner = await ethers.deployContract("GasBurningRecipient");
      const t = transferOf(0n, await burner.getAddress(), { valueOrTokenId: 2n * ONE });
      await expect(handleBy(f, "signed", t)).to.emit(f.bridge, "TransferHeld");
      const release = f.recovery.releaseHeldTransfer(t);
      await expect(release).to.emit(f.recovery, "TransferReleased").withArgs(0n, false);
      await expect(release).to.emit(f.bridge, "HandleValueTransferFailed").withArgs(...failedArgs(t, "0x"));
      await expect(release).to.changeEtherBalances(ethers, [f.bridge, burner], [0n, 0n]);
      expect(await parked(f, t)).to.deep.equal({ status: ParkedStatus.Failed, exact: true });
      await burner.setMode(2);
      // the release was the owner's decision, uncounted; a retry counts, and 2 KLAY is above the maximum of 1
      await expect(f.recovery.connect(f.stranger).retryTransfer(t))
        .to.be.revertedWithCustomError(f.bridge, "RetryAboveLimits")
        .withArgs(0n);
      await f.bridge.setTransferLimits(KLAY, 0n, 2n * ONE, 0n, 0n);
      await expect(f.recovery.connect(f.stranger).retryTransfer(t))
        .to.emit(f.recovery, "TransferRetried")
        .withArgs(0n, f.stranger.address);
      expect(await ethers.provider.getBalance(burner)).to.equal(2n * ONE);
    });

    it("a handle of an unregistered token is refused (TokenNotRegistered), limits or not", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      const other = await ethers.deployContract("KIP7Token", ["Other", "OT", 18, 1_000n]);
      await other.transfer(f.bridge, 1_000n);
      const t = transferOf(0n, f.user.address, { tokenType: TokenType.ERC20, tokenAddress: other.target as string, valueOrTokenId: 1n });
      for (const path of PATHS) {
        await expect(handleBy(f, path, t))
          .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
          .withArgs(other.target);
      }
      expect(await f.bridge.isHandled(0n)).to.equal(false);
    });
  });

  describe("a held transfer cancelled on the destination is refunded on the source", function () {
    async function twoBridges() {
      const source = await withRequester(false);
      const destination = await recoveryDestination(ethers, true);
      await destination.bridge.setTransferLimits(KLAY, 0n, 2n * ONE, 0n, 0n);
      const requestTx = await source.bridge.connect(source.requester).requestKLAYTransfer(source.user, 3n * ONE, "0x", {
        value: 3n * ONE,
      });
      const receipt = (await requestTx.wait())!;
      const requested = transferOf(0n, source.user.address, {
        requestTxHash: receipt.hash,
        from: source.requester.address,
        valueOrTokenId: 3n * ONE,
        requestBlockNumber: BigInt(receipt.blockNumber),
      });
      return { source, destination, requested };
    }

    it("held above the maximum, cancelled by the operators' signatures, refunded once to the requester", async function () {
      const { source, destination, requested } = await networkHelpers.loadFixture(twoBridges);
      // KLAY: the handle names the same (zero) token on both sides
      await expect(handleBy(destination, "signed", requested)).to.emit(destination.bridge, "TransferHeld");
      await expect(destination.recovery.connect(destination.submitter).cancelTransfer(
        requested,
        await cancelSignatures(destination.recoveryDomain, requested, [destination.owner, destination.op3]),
      ))
        .to.emit(destination.recovery, "TransferCancelled")
        .withArgs(...parkedArgs(requested));
      await expect(destination.recovery.releaseHeldTransfer(requested))
        .to.be.revertedWithCustomError(destination.recovery, "TransferNotParked")
        .withArgs(0n, ParkedStatus.Cancelled);
      expect(await ethers.provider.getBalance(destination.bridge)).to.equal(LIQUIDITY);
      const signatures = await refundSignatures(source.recoveryDomain, requested, [source.op2, source.op3]);
      // the destination's approval is no approval on the source
      await expect(
        source.recovery.refundTransfer(requested, await refundSignatures(destination.recoveryDomain, requested, [source.op2, source.op3])),
      ).to.be.revertedWithCustomError(source.bridge, "SignerNotOperator");
      const refund = source.recovery.connect(source.submitter).refundTransfer(requested, signatures);
      await expect(refund)
        .to.emit(source.recovery, "ValueTransferRefunded")
        .withArgs(requested.requestTxHash, TokenType.KLAY, source.requester.address, KLAY, 3n * ONE, 0n);
      await expect(refund).to.changeEtherBalances(ethers, [source.bridge, source.requester], [-3n * ONE, 3n * ONE]);
      await expect(source.recovery.refundTransfer(requested, signatures))
        .to.be.revertedWithCustomError(source.recovery, "AlreadyRefunded")
        .withArgs(0n);
    });

    // Vulnerable variant: refunds paid outside the limits, so a compromised operator threshold could take out of the
    // source bridge by refunds what the limits keep it from taking by handles.
    it("a refund counts against the paying bridge's handle limits: above them it waits (RefundAboveLimits)", async function () {
      const { source, destination, requested } = await networkHelpers.loadFixture(twoBridges);
      await handleBy(destination, "signed", requested);
      await destination.recovery.cancelTransfer(
        requested,
        await cancelSignatures(destination.recoveryDomain, requested, [destination.owner, destination.op3]),
      );
      const limits = await ethers.getContractAt("TransferLimits", await source.bridge.transferLimits());
      const signatures = await refundSignatures(source.recoveryDomain, requested, [source.op2, source.op3]);
      // above the maximum per transfer
      await source.bridge.setTransferLimits(KLAY, 0n, 2n * ONE, 0n, 0n);
      await expect(source.recovery.refundTransfer(requested, signatures))
        .to.be.revertedWithCustomError(source.bridge, "RefundAboveLimits")
        .withArgs(0n);
      // past today's handle limit (what handles paid today counts)
      await source.bridge.setTransferLimits(KLAY, 0n, 0n, 0n, 4n * ONE);
      await handleBy(source, "signed", transferOf(0n, source.user.address, { valueOrTokenId: 2n * ONE }));
      expect(await limits.handledToday(KLAY)).to.equal(2n * ONE);
      await expect(source.recovery.refundTransfer(requested, signatures))
        .to.be.revertedWithCustomError(source.bridge, "RefundAboveLimits")
        .withArgs(0n);
      expect(await source.recovery.isRefunded(0n)).to.equal(false);
      // the next day the same signatures go through, and the refund is counted
      await nextDay();
      await expect(source.recovery.refundTransfer(requested, signatures))
        .to.changeEtherBalances(ethers, [source.bridge, source.requester], [-3n * ONE, 3n * ONE]);
      expect(await limits.handledToday(KLAY)).to.equal(3n * ONE);
      expect(await source.recovery.isRefunded(0n)).to.equal(true);
    });
  });
});
