// Audit finding 3 (medium): a failed payout stayed counted in the day's handle limit, and a cancellation never gave
// it back. Anyone could send the day's limit to a contract that refuses KLAY (or an NFT), have it refunded, and hold
// every other transfer of that asset for the rest of the day. A handle now counts against the limit only when value
// leaves: a first payout that fails gives its amount back, and a retry counts when it pays (`RetryAboveLimits` above
// the limits, as a refund's `RefundAboveLimits`). A release by the owner stays uncounted, as before.
//
// Vulnerable variant each test fails on: a failed payout kept in the day's handle usage, a retry paid outside the
// limits (the code before the fix).
import { expect } from "chai";
import { network } from "hardhat";

import { ParkedStatus, TokenType } from "../helpers/bridge.js";
import { cancelSignatures, handleBy, PATHS, recoveryDestination, transferOf, ONE } from "../helpers/recovery.js";

const { ethers, networkHelpers } = await network.create();

const DAY = 86_400;
const KLAY = ethers.ZeroAddress;

describe("Security: failed payouts do not use up the daily handle limit (audit finding 3)", function () {
  /** A lock-mode destination (see recoveryDestination) with a KLAY daily handle limit of 1 KLAY and a switchable recipient. */
  async function deploy() {
    const f = await recoveryDestination(ethers, false);
    const now = await networkHelpers.time.latest();
    await networkHelpers.time.increaseTo((Math.floor(now / DAY) + 1) * DAY + 3600);
    await f.bridge.setTransferLimits(KLAY, 0n, 0n, 0n, ONE);
    const refuser = await ethers.deployContract("GasBurningRecipient");
    await refuser.setMode(1); // Report: refuses KLAY
    const limits = await ethers.getContractAt("TransferLimits", await f.bridge.transferLimits());
    return { ...f, refuser, limits };
  }

  for (const path of PATHS) {
    it(`a payout that fails gives the day's limit back: the next transfer is paid, not held (${path})`, async function () {
      const f = await networkHelpers.loadFixture(deploy);
      const griefing = transferOf(0n, f.refuser.target as string, { valueOrTokenId: ONE });
      await expect(handleBy(f, path, griefing)).to.emit(f.bridge, "HandleValueTransferFailed");
      expect(await f.limits.handledToday(KLAY)).to.equal(0n);
      const honest = transferOf(1n, f.user.address, { valueOrTokenId: ONE });
      await expect(handleBy(f, path, honest)).to.emit(f.bridge, "HandleValueTransfer");
      expect(await f.limits.handledToday(KLAY)).to.equal(ONE);
    });
  }

  it("an NFT whose payout fails gives its count back", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    await f.bridge.setTransferLimits(f.kip17, 0n, 0n, 0n, 1n);
    const nft = (nonce: bigint, id: bigint) =>
      transferOf(nonce, f.user.address, { tokenType: TokenType.ERC721, tokenAddress: f.kip17.target as string, valueOrTokenId: id });
    // the bridge does not hold NFT 9: the payout fails
    await expect(handleBy(f, "signed", nft(0n, 9n))).to.emit(f.bridge, "HandleValueTransferFailed");
    expect(await f.limits.handledToday(f.kip17)).to.equal(0n);
    await expect(handleBy(f, "signed", nft(1n, 1n))).to.emit(f.bridge, "HandleValueTransfer");
  });

  it("a failed transfer cancelled and refunded leaves nothing counted on the destination", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const griefing = transferOf(0n, f.refuser.target as string, { valueOrTokenId: ONE });
    await handleBy(f, "signed", griefing);
    await expect(f.recovery.cancelTransfer(griefing, await cancelSignatures(f.recoveryDomain, griefing, [f.owner, f.op2])))
      .to.emit(f.recovery, "TransferCancelled");
    expect(await f.limits.handledToday(KLAY)).to.equal(0n);
    await expect(handleBy(f, "votes", transferOf(1n, f.user.address, { valueOrTokenId: ONE }))).to.emit(
      f.bridge,
      "HandleValueTransfer",
    );
  });

  it("a retry counts against the handle limits when it pays; above them it waits (RetryAboveLimits)", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const failed = transferOf(0n, f.refuser.target as string, { valueOrTokenId: ONE });
    await handleBy(f, "signed", failed);
    await handleBy(f, "signed", transferOf(1n, f.user.address, { valueOrTokenId: ONE }));
    await f.refuser.setMode(2); // Accept
    await expect(f.recovery.connect(f.stranger).retryTransfer(failed))
      .to.be.revertedWithCustomError(f.bridge, "RetryAboveLimits")
      .withArgs(0n);
    expect((await f.recovery.parkedTransfer(0n))[0]).to.equal(BigInt(ParkedStatus.Failed));
    // the next day it fits, is paid and counted
    await networkHelpers.time.increase(DAY);
    await expect(f.recovery.connect(f.stranger).retryTransfer(failed)).to.emit(f.recovery, "TransferRetried");
    expect(await f.limits.handledToday(KLAY)).to.equal(ONE);
    expect(await ethers.provider.getBalance(f.refuser)).to.equal(ONE);
  });

  it("a release by the owner stays uncounted, paid or failed", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const held = transferOf(0n, f.user.address, { valueOrTokenId: 2n * ONE });
    await expect(handleBy(f, "signed", held)).to.emit(f.bridge, "TransferHeld");
    await expect(f.recovery.releaseHeldTransfer(held)).to.emit(f.bridge, "HandleValueTransfer");
    expect(await f.limits.handledToday(KLAY)).to.equal(0n);
    await expect(handleBy(f, "signed", transferOf(1n, f.user.address, { valueOrTokenId: ONE }))).to.emit(
      f.bridge,
      "HandleValueTransfer",
    );
  });
});
