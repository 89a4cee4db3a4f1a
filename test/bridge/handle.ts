import { expect } from "chai";
import { network } from "hardhat";

import {
  deployBridge,
  handleKLAY,
  handleKLAYData,
  handleState,
  klayAsTransfer,
  klayTransfer,
  parkedState,
  ParkedStatus,
  TokenType,
  VoteType,
  type KlayTransfer,
} from "../helpers/bridge.js";

const { ethers, networkHelpers } = await network.create();

const LIQUIDITY = ethers.parseEther("10");

/** The `HandleValueTransferFailed` arguments of KLAY handle `t`, failed with `reason`. */
function failedArgs(t: KlayTransfer, reason: string) {
  return [t.requestTxHash, TokenType.KLAY, t.from, t.to, ethers.ZeroAddress, t.value, t.nonce, reason] as const;
}

describe("Bridge handle (destination side), with KLAY", function () {
  async function deployed() {
    const [owner, a, b, c, user, stranger] = await ethers.getSigners();
    const bridge = await deployBridge(ethers, false, LIQUIDITY);
    for (const op of [a, b, c]) await bridge.registerOperator(op);
    return { bridge, owner, a, b, c, user, stranger };
  }

  async function twoOfFour() {
    const f = await deployed();
    await f.bridge.setOperatorThreshold(VoteType.ValueTransfer, 2);
    return f;
  }

  describe("votes", function () {
    it("a vote below the threshold executes nothing and says so with VoteCast", async function () {
      const { bridge, a, user } = await networkHelpers.loadFixture(twoOfFour);
      const t = klayTransfer(user.address, 0, { value: ethers.parseEther("1") });
      await expect(handleKLAY(bridge, a, t))
        .to.emit(bridge, "VoteCast")
        .withArgs(VoteType.ValueTransfer, 0, a.address, ethers.keccak256(handleKLAYData(bridge, t)))
        .and.not.to.emit(bridge, "HandleValueTransfer");
      expect(await ethers.provider.getBalance(bridge)).to.equal(LIQUIDITY);
      expect(await bridge.closedValueTransferVotes(0)).to.equal(false);
      expect(await bridge.handledRequestTx(t.requestTxHash)).to.equal(false);
      expect(await handleState(bridge)).to.deep.equal({ lower: 0n, upper: 0n, recovery: 1n });
    });

    it("votes count only for identical call data: different extraData or block number do not add up", async function () {
      const { bridge, a, b, c, owner, user } = await networkHelpers.loadFixture(twoOfFour);
      const t = klayTransfer(user.address, 0);
      await expect(handleKLAY(bridge, a, t)).not.to.emit(bridge, "HandleValueTransfer");
      await expect(handleKLAY(bridge, b, { ...t, extraData: "0xbeef" })).not.to.emit(bridge, "HandleValueTransfer");
      await expect(handleKLAY(bridge, c, { ...t, blockNumber: 7n })).not.to.emit(bridge, "HandleValueTransfer");
      await expect(handleKLAY(bridge, owner, { ...t, value: t.value + 1n })).not.to.emit(bridge, "HandleValueTransfer");
      expect(await bridge.closedValueTransferVotes(0)).to.equal(false);
      // A second vote for A's exact call data executes it.
      await expect(handleKLAY(bridge, c, t))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(t.requestTxHash, TokenType.KLAY, t.from, t.to, ethers.ZeroAddress, t.value, 0, 1, t.extraData);
    });

    it("the same operator voting twice is still one vote", async function () {
      const { bridge, a, user } = await networkHelpers.loadFixture(twoOfFour);
      const t = klayTransfer(user.address, 0);
      await handleKLAY(bridge, a, t);
      await expect(handleKLAY(bridge, a, t)).not.to.emit(bridge, "HandleValueTransfer");
      expect(await bridge.lowerHandleNonce()).to.equal(0n);
    });

    it("the threshold reached executes once: pays, emits HandleValueTransfer with Klaytn's fields", async function () {
      const { bridge, a, b, user } = await networkHelpers.loadFixture(twoOfFour);
      const t = klayTransfer(user.address, 0, { value: ethers.parseEther("1.5"), extraData: "0x0102", blockNumber: 42n });
      await handleKLAY(bridge, a, t);
      const tx = handleKLAY(bridge, b, t);
      await expect(tx)
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(t.requestTxHash, TokenType.KLAY, t.from, user.address, ethers.ZeroAddress, t.value, 0, 1, "0x0102");
      await expect(tx).to.changeEtherBalances(ethers, [user, bridge], [t.value, -t.value]);
      expect(await bridge.handledRequestTx(t.requestTxHash)).to.equal(true);
      expect(await handleState(bridge)).to.deep.equal({ lower: 1n, upper: 0n, recovery: 42n });
    });

    it("a vote after execution is refused: NonceAlreadyPassed once lowerHandleNonce passed the nonce", async function () {
      const { bridge, a, b, c, user } = await networkHelpers.loadFixture(twoOfFour);
      const t = klayTransfer(user.address, 0);
      await handleKLAY(bridge, a, t);
      await handleKLAY(bridge, b, t);
      await expect(handleKLAY(bridge, c, t))
        .to.be.revertedWithCustomError(bridge, "NonceAlreadyPassed")
        .withArgs(0, 1);
      await expect(handleKLAY(bridge, c, { ...t, extraData: "0x01" }))
        .to.be.revertedWithCustomError(bridge, "NonceAlreadyPassed")
        .withArgs(0, 1);
    });

    it("a vote on a nonce executed ahead of lowerHandleNonce is refused with VoteClosed", async function () {
      const { bridge, a, b, c, user } = await networkHelpers.loadFixture(twoOfFour);
      const t = klayTransfer(user.address, 3);
      await handleKLAY(bridge, a, t);
      await handleKLAY(bridge, b, t);
      expect(await bridge.lowerHandleNonce()).to.equal(0n);
      await expect(handleKLAY(bridge, c, t)).to.be.revertedWithCustomError(bridge, "VoteClosed").withArgs(3);
      await expect(handleKLAY(bridge, c, { ...t, value: 1n }))
        .to.be.revertedWithCustomError(bridge, "VoteClosed")
        .withArgs(3);
    });

    it("a non-operator is refused with NotOperator", async function () {
      const { bridge, stranger, user } = await networkHelpers.loadFixture(twoOfFour);
      await expect(handleKLAY(bridge, stranger, klayTransfer(user.address, 0)))
        .to.be.revertedWithCustomError(bridge, "NotOperator")
        .withArgs(stranger.address);
    });

    it("a zero recipient is refused when the handle executes (ZeroRecipient)", async function () {
      const { bridge, a, b } = await networkHelpers.loadFixture(twoOfFour);
      const t = klayTransfer(ethers.ZeroAddress, 0);
      await handleKLAY(bridge, a, t);
      await expect(handleKLAY(bridge, b, t)).to.be.revertedWithCustomError(bridge, "ZeroRecipient");
      expect(await bridge.closedValueTransferVotes(0)).to.equal(false);
      expect(await bridge.lowerHandleNonce()).to.equal(0n);
    });
  });

  describe("votes for different content at one nonce", function () {
    it("each content needs the threshold of distinct operators; an operator's earlier vote stays with its content", async function () {
      // Klaytn moves an operator's vote when it votes again; here a vote stays with the content it was cast for, so
      // no content ever executes with fewer than `threshold` distinct current operators behind it.
      const { bridge, a, c, user } = await networkHelpers.loadFixture(twoOfFour);
      const first = klayTransfer(user.address, 0, { blockNumber: 100n });
      const second = { ...first, blockNumber: 101n, value: 2_000n };
      await expect(handleKLAY(bridge, a, first)).not.to.emit(bridge, "HandleValueTransfer");
      await expect(handleKLAY(bridge, a, second)).not.to.emit(bridge, "HandleValueTransfer");
      await expect(handleKLAY(bridge, c, first)).to.emit(bridge, "HandleValueTransfer");
      await expect(handleKLAY(bridge, c, second)).to.be.revertedWithCustomError(bridge, "NonceAlreadyPassed");
    });
  });

  describe("paying the bridge itself", function () {
    it("a KLAY handle whose recipient is the bridge never turns into a new request", async function () {
      // The payout would enter the bridge's own receive(), a request entry: the reentrancy lock refuses it, so the
      // payout fails (parked as failed, nothing paid) instead of recording a request from the bridge to itself on the
      // other chain.
      const { bridge, owner } = await networkHelpers.loadFixture(deployed);
      const t = klayTransfer(await bridge.getAddress(), 0);
      const locked = bridge.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []);
      const tx = handleKLAY(bridge, owner, t);
      await expect(tx)
        .to.emit(bridge, "HandleValueTransferFailed")
        .withArgs(...failedArgs(t, locked))
        .and.not.to.emit(bridge, "RequestValueTransfer");
      expect(await bridge.requestNonce()).to.equal(0n);
      expect(await ethers.provider.getBalance(bridge)).to.equal(LIQUIDITY);
      expect(await bridge.isHandled(0)).to.equal(true);
      expect(await parkedState(ethers, bridge, klayAsTransfer(t))).to.deep.equal({ status: ParkedStatus.Failed, matches: true });
    });
  });

  describe("nonce bookkeeping (Klaytn's _updateHandleNonce)", function () {
    it("out of order: 2, then 1, then 0", async function () {
      const { bridge, owner, user } = await networkHelpers.loadFixture(deployed);
      const t = [0, 1, 2].map((n) => klayTransfer(user.address, n, { blockNumber: BigInt(10 * (n + 1)) }));

      await expect(handleKLAY(bridge, owner, t[2]))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(t[2].requestTxHash, TokenType.KLAY, t[2].from, t[2].to, ethers.ZeroAddress, t[2].value, 2, 0, "0x");
      expect(await handleState(bridge)).to.deep.equal({ lower: 0n, upper: 2n, recovery: 1n });
      expect(await bridge.handleNoncesToBlockNums(2)).to.equal(30n);
      expect(await bridge.handleNoncesToBlockNums(1)).to.equal(0n);
      expect(await bridge.closedValueTransferVotes(2)).to.equal(true);
      expect(await bridge.closedValueTransferVotes(1)).to.equal(false);
      expect(await bridge.closedValueTransferVotes(0)).to.equal(false);

      await expect(handleKLAY(bridge, owner, t[1]))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(t[1].requestTxHash, TokenType.KLAY, t[1].from, t[1].to, ethers.ZeroAddress, t[1].value, 1, 0, "0x");
      expect(await handleState(bridge)).to.deep.equal({ lower: 0n, upper: 2n, recovery: 1n });
      expect(await bridge.handleNoncesToBlockNums(1)).to.equal(20n);
      expect(await bridge.closedValueTransferVotes(1)).to.equal(true);

      await expect(handleKLAY(bridge, owner, t[0]))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(t[0].requestTxHash, TokenType.KLAY, t[0].from, t[0].to, ethers.ZeroAddress, t[0].value, 0, 3, "0x");
      // Passed nonces are forgotten; the recovery block is the block of the last one passed (nonce 2).
      expect(await handleState(bridge)).to.deep.equal({ lower: 3n, upper: 2n, recovery: 30n });
      for (const n of [0, 1, 2]) {
        expect(await bridge.handleNoncesToBlockNums(n)).to.equal(0n);
        expect(await bridge.closedValueTransferVotes(n)).to.equal(false);
        expect(await bridge.handledRequestTx(t[n].requestTxHash)).to.equal(true);
      }
      expect(await bridge.handledRequestTx(ethers.id("never requested"))).to.equal(false);
      for (const n of [0, 1, 2]) {
        await expect(handleKLAY(bridge, owner, t[n]))
          .to.be.revertedWithCustomError(bridge, "NonceAlreadyPassed")
          .withArgs(n, 3);
      }
    });

    it("matches a model of Klaytn's _updateHandleNonce over shuffled handle orders", async function () {
      this.timeout(20_000);
      const N = 24;
      for (const seed of [1, 7, 42]) {
        const { bridge, owner, user } = await networkHelpers.loadFixture(deployed);
        const model = new KlaytnNonces();
        const order = shuffle(
          Array.from({ length: N }, (_, n) => n),
          seed,
        );
        for (const n of order) {
          const block = BigInt(1000 + ((n * 37 + seed) % 500)); // never 0: Klaytn's loop would stop there
          const t = klayTransfer(user.address, n, { value: 1n, blockNumber: block });
          model.handle(n, block);
          await expect(handleKLAY(bridge, owner, t))
            .to.emit(bridge, "HandleValueTransfer")
            .withArgs(t.requestTxHash, TokenType.KLAY, t.from, t.to, ethers.ZeroAddress, 1n, n, model.lower, "0x");
          expect(await handleState(bridge), `seed ${seed}, after nonce ${n}`).to.deep.equal({
            lower: model.lower,
            upper: model.upper,
            recovery: model.recovery,
          });
          for (let m = 0; m < N; m++) {
            expect(await bridge.handleNoncesToBlockNums(m), `blockNum(${m})`).to.equal(model.blockNums.get(m) ?? 0n);
            expect(await bridge.closedValueTransferVotes(m), `closed(${m})`).to.equal(model.closed.has(m));
          }
        }
        expect(model.lower).to.equal(BigInt(N));
      }
    });

    it("a gap holds lowerHandleNonce back until it is filled", async function () {
      const { bridge, owner, user } = await networkHelpers.loadFixture(deployed);
      await handleKLAY(bridge, owner, klayTransfer(user.address, 0, { blockNumber: 5n }));
      await handleKLAY(bridge, owner, klayTransfer(user.address, 2, { blockNumber: 9n }));
      await handleKLAY(bridge, owner, klayTransfer(user.address, 4, { blockNumber: 12n }));
      expect(await handleState(bridge)).to.deep.equal({ lower: 1n, upper: 4n, recovery: 5n });
      expect(await bridge.closedValueTransferVotes(2)).to.equal(true);
      expect(await bridge.closedValueTransferVotes(3)).to.equal(false);
      await expect(handleKLAY(bridge, owner, klayTransfer(user.address, 1, { blockNumber: 7n })))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(requestHash(1), TokenType.KLAY, anyFrom(), user.address, ethers.ZeroAddress, 1_000n, 1, 3, "0x");
      expect(await handleState(bridge)).to.deep.equal({ lower: 3n, upper: 4n, recovery: 9n });
      expect(await bridge.handleNoncesToBlockNums(4)).to.equal(12n);
      await handleKLAY(bridge, owner, klayTransfer(user.address, 3, { blockNumber: 10n }));
      expect(await handleState(bridge)).to.deep.equal({ lower: 5n, upper: 4n, recovery: 12n });
    });

    it("a requested block number of 0 does not stop lowerHandleNonce (Klaytn's bug, fixed)", async function () {
      const { bridge, owner, user } = await networkHelpers.loadFixture(deployed);
      await handleKLAY(bridge, owner, klayTransfer(user.address, 0, { blockNumber: 0n }));
      expect(await bridge.lowerHandleNonce()).to.equal(1n);
      await handleKLAY(bridge, owner, klayTransfer(user.address, 2, { blockNumber: 0n }));
      expect(await bridge.closedValueTransferVotes(2)).to.equal(true);
      await handleKLAY(bridge, owner, klayTransfer(user.address, 1, { blockNumber: 8n }));
      expect(await bridge.lowerHandleNonce()).to.equal(3n);
      await handleKLAY(bridge, owner, klayTransfer(user.address, 3, { blockNumber: 0n }));
      expect(await bridge.lowerHandleNonce()).to.equal(4n);
      expect(await bridge.upperHandleNonce()).to.equal(3n);
      await expect(handleKLAY(bridge, owner, klayTransfer(user.address, 2, { blockNumber: 0n })))
        .to.be.revertedWithCustomError(bridge, "NonceAlreadyPassed")
        .withArgs(2, 4);
    });

    it("one handle moves lowerHandleNonce at most 200 steps; the next handle carries on", async function () {
      this.timeout(20_000);
      const { bridge, owner, user } = await networkHelpers.loadFixture(deployed);
      const small = klayTransfer(user.address, 0, { value: 1n });
      for (let n = 1; n <= 250; n++) {
        await bridge.handleKLAYTransfer(requestHash(n), small.from, user.address, 1n, n, 1000 + n, "0x");
      }
      expect(await handleState(bridge)).to.deep.equal({ lower: 0n, upper: 250n, recovery: 1n });
      await expect(handleKLAY(bridge, owner, { ...small, blockNumber: 1000n }))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(small.requestTxHash, TokenType.KLAY, small.from, user.address, ethers.ZeroAddress, 1n, 0, 201, "0x");
      expect(await handleState(bridge)).to.deep.equal({ lower: 201n, upper: 250n, recovery: 1200n });
      expect(await bridge.closedValueTransferVotes(200)).to.equal(false);
      expect(await bridge.closedValueTransferVotes(201)).to.equal(true);
      expect(await bridge.handleNoncesToBlockNums(201)).to.equal(1201n);
      expect(await bridge.handleNoncesToBlockNums(200)).to.equal(0n);
      await expect(handleKLAY(bridge, owner, { ...small, nonce: 201 }))
        .to.be.revertedWithCustomError(bridge, "VoteClosed")
        .withArgs(201);
      // The next handle moves on over the rest.
      await bridge.handleKLAYTransfer(requestHash(251), small.from, user.address, 1n, 251, 1251, "0x");
      expect(await handleState(bridge)).to.deep.equal({ lower: 252n, upper: 251n, recovery: 1251n });
    });
  });

  describe("KLAY payout", function () {
    it("pays a contract recipient that needs more than 2,300 gas (call, not transfer)", async function () {
      const { bridge, owner } = await networkHelpers.loadFixture(deployed);
      const recipient = await ethers.deployContract("GasHungryRecipient");
      const t = klayTransfer(await recipient.getAddress(), 0, { value: ethers.parseEther("2") });
      await expect(handleKLAY(bridge, owner, t)).to.changeEtherBalances(ethers, [recipient, bridge], [t.value, -t.value]);
      expect(await recipient.payments()).to.equal(1n);
      expect(await recipient.received()).to.equal(t.value);
    });

    it("a recipient that refuses KLAY: the handle is recorded, paying nothing, and parked as failed", async function () {
      const { bridge, owner } = await networkHelpers.loadFixture(deployed);
      const refuser = await ethers.deployContract("RefusingRecipient");
      const t = klayTransfer(await refuser.getAddress(), 0, { value: ethers.parseEther("1") });
      const tx = handleKLAY(bridge, owner, t);
      await expect(tx)
        .to.emit(bridge, "HandleValueTransferFailed")
        .withArgs(...failedArgs(t, refuser.interface.encodeErrorResult("Refused", [])))
        .and.not.to.emit(bridge, "HandleValueTransfer");
      await expect(tx).to.changeEtherBalances(ethers, [bridge, refuser], [0n, 0n]);
      expect(await ethers.provider.getBalance(bridge)).to.equal(LIQUIDITY);
      expect(await handleState(bridge)).to.deep.equal({ lower: 1n, upper: 0n, recovery: t.blockNumber });
      expect(await bridge.handledRequestTx(t.requestTxHash)).to.equal(true);
      expect(await parkedState(ethers, bridge, klayAsTransfer(t))).to.deep.equal({ status: ParkedStatus.Failed, matches: true });
      await expect(handleKLAY(bridge, owner, t)).to.be.revertedWithCustomError(bridge, "NonceAlreadyPassed").withArgs(0, 1);
    });

    it("not enough liquidity parks the handle as failed; a retry pays it once the bridge is charged", async function () {
      const { bridge, owner, user, stranger } = await networkHelpers.loadFixture(deployed);
      const t = klayTransfer(user.address, 0, { value: LIQUIDITY + 1n });
      const tx = handleKLAY(bridge, owner, t);
      await expect(tx).to.emit(bridge, "HandleValueTransferFailed").withArgs(...failedArgs(t, "0x"));
      await expect(tx).to.changeEtherBalances(ethers, [user, bridge], [0n, 0n]);
      expect(await bridge.lowerHandleNonce()).to.equal(1n);
      await bridge.chargeWithoutEvent({ value: 1n });
      const recovery = await ethers.getContractAt("TransferRecovery", await bridge.transferRecovery());
      const retry = recovery.connect(stranger).retryTransfer(klayAsTransfer(t));
      await expect(retry).to.emit(recovery, "TransferRetried").withArgs(0, stranger.address);
      await expect(retry).to.changeEtherBalances(ethers, [user, bridge], [t.value, -t.value]);
      expect(await ethers.provider.getBalance(bridge)).to.equal(0n);
    });

    it("at threshold 2 a failing payout closes the vote: the nonce is handled, other content is refused", async function () {
      const { bridge, a, b, c } = await networkHelpers.loadFixture(twoOfFour);
      const refuser = await ethers.deployContract("RefusingRecipient");
      const t = klayTransfer(await refuser.getAddress(), 0);
      await handleKLAY(bridge, a, t);
      await expect(handleKLAY(bridge, b, t))
        .to.emit(bridge, "HandleValueTransferFailed")
        .withArgs(...failedArgs(t, refuser.interface.encodeErrorResult("Refused", [])));
      // the failed transfer waits in the recovery ledger; the nonce cannot be handled again with other content
      const good = klayTransfer(c.address, 0);
      await expect(handleKLAY(bridge, a, good)).to.be.revertedWithCustomError(bridge, "NonceAlreadyPassed").withArgs(0, 1);
      expect(await ethers.provider.getBalance(bridge)).to.equal(LIQUIDITY);
      expect(await parkedState(ethers, bridge, klayAsTransfer(t))).to.deep.equal({ status: ParkedStatus.Failed, matches: true });
    });
  });

  describe("reentrancy", function () {
    async function withAttacker() {
      const f = await deployed();
      const attacker = await ethers.deployContract("ReentrantRecipient", [await f.bridge.getAddress()]);
      await f.bridge.registerOperator(attacker); // the worst case: the recipient is an operator itself
      return { ...f, attacker };
    }

    function reentrantCallSelector(bridge: Awaited<ReturnType<typeof deployed>>["bridge"]): string {
      return bridge.interface.getError("ReentrancyGuardReentrantCall")!.selector;
    }

    it("a recipient that re-enters handleKLAYTransfer during the payout is refused (ReentrancyGuardReentrantCall)", async function () {
      const { bridge, owner, attacker, user } = await networkHelpers.loadFixture(withAttacker);
      const next = klayTransfer(user.address, 1);
      await attacker.arm(handleKLAYData(bridge, next), 0, true);
      const t = klayTransfer(await attacker.getAddress(), 0);
      await expect(handleKLAY(bridge, owner, t))
        .to.emit(attacker, "Reentered")
        .withArgs(false, reentrantCallSelector(bridge));
      expect(await bridge.closedValueTransferVotes(1)).to.equal(false);
      expect(await handleState(bridge)).to.deep.equal({ lower: 1n, upper: 0n, recovery: t.blockNumber });
    });

    it("when the recipient passes the refusal on, the payout fails and is parked; the re-entered nonce is not handled", async function () {
      const { bridge, owner, attacker, user } = await networkHelpers.loadFixture(withAttacker);
      await attacker.arm(handleKLAYData(bridge, klayTransfer(user.address, 1)), 0, false);
      const t = klayTransfer(await attacker.getAddress(), 0);
      const tx = handleKLAY(bridge, owner, t);
      await expect(tx)
        .to.emit(bridge, "HandleValueTransferFailed")
        .withArgs(...failedArgs(t, reentrantCallSelector(bridge)));
      await expect(tx).to.changeEtherBalances(ethers, [bridge, attacker, user], [0n, 0n, 0n]);
      expect(await bridge.isHandled(1)).to.equal(false);
      expect(await handleState(bridge)).to.deep.equal({ lower: 1n, upper: 0n, recovery: t.blockNumber });
      expect(await parkedState(ethers, bridge, klayAsTransfer(t))).to.deep.equal({ status: ParkedStatus.Failed, matches: true });
    });

    it("a recipient that re-enters requestKLAYTransfer with a fee limit during the payout is refused", async function () {
      const { bridge, owner, attacker, user } = await networkHelpers.loadFixture(withAttacker);
      // 500 requested with 600 attached: the 100 of change would have to be sent back from inside the payout.
      const request = bridge.interface.encodeFunctionData("requestKLAYTransfer", [user.address, 500n, "0x"]);
      await attacker.arm(request, 600n, true);
      const t = klayTransfer(await attacker.getAddress(), 0);
      await expect(handleKLAY(bridge, owner, t))
        .to.emit(attacker, "Reentered")
        .withArgs(false, reentrantCallSelector(bridge));
      expect(await bridge.requestNonce()).to.equal(0n);
    });

    it("a KLAY request made from inside a payout is refused by the lock; the payout itself goes through", async function () {
      const { bridge, owner, attacker, user } = await networkHelpers.loadFixture(withAttacker);
      const request = bridge.interface.encodeFunctionData("requestKLAYTransfer", [user.address, 500n, "0x"]);
      await attacker.arm(request, 500n, true);
      const t = klayTransfer(await attacker.getAddress(), 0, { value: 2_000n });
      const tx = handleKLAY(bridge, owner, t);
      const locked = bridge.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []);
      await expect(tx).to.emit(attacker, "Reentered").withArgs(false, locked);
      await expect(tx).not.to.emit(bridge, "RequestValueTransfer");
      await expect(tx).to.changeEtherBalances(ethers, [bridge, attacker], [-2_000n, 2_000n]);
      expect(await bridge.requestNonce()).to.equal(0n);
      expect(await handleState(bridge)).to.deep.equal({ lower: 1n, upper: 0n, recovery: t.blockNumber });
    });

    it("a request from inside a change refund is refused by the lock; the outer request keeps its nonce", async function () {
      const { bridge, attacker, user } = await networkHelpers.loadFixture(withAttacker);
      await attacker.arm(bridge.interface.encodeFunctionData("requestKLAYTransfer", [user.address, 30n, "0x"]), 30n, true);
      const request = bridge.interface.encodeFunctionData("requestKLAYTransfer", [user.address, 100n, "0x"]);
      const tx = attacker.execute(request, { value: 150n });
      await expect(tx)
        .to.emit(bridge, "RequestValueTransfer")
        .withArgs(TokenType.KLAY, await attacker.getAddress(), user.address, ethers.ZeroAddress, 100n, 0, 0, "0x");
      await expect(tx).to.changeEtherBalance(ethers, bridge, 100n);
      expect(await bridge.requestNonce()).to.equal(1n);
    });
  });
});

/** Klaytn's handle nonce bookkeeping (BridgeTransfer._updateHandleNonce), for block numbers above 0. */
class KlaytnNonces {
  lower = 0n;
  upper = 0n;
  recovery = 1n;
  blockNums = new Map<number, bigint>();
  closed = new Set<number>();

  handle(nonce: number, blockNumber: bigint): void {
    this.closed.add(nonce);
    this.blockNums.set(nonce, blockNumber);
    if (BigInt(nonce) > this.upper) this.upper = BigInt(nonce);
    let limit = this.lower + 200n;
    if (limit > this.upper) limit = this.upper;
    let i = this.lower;
    while (i <= limit && (this.blockNums.get(Number(i)) ?? 0n) > 0n) {
      this.recovery = this.blockNums.get(Number(i))!;
      this.blockNums.delete(Number(i));
      this.closed.delete(Number(i));
      i++;
    }
    this.lower = i;
  }
}

/** A deterministic shuffle (mulberry32). */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function requestHash(n: number): string {
  return klayTransfer(ethers.ZeroAddress, n).requestTxHash;
}

function anyFrom(): string {
  return klayTransfer(ethers.ZeroAddress, 0).from;
}
