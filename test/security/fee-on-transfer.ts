// Audit finding 1 (medium): the one-step requests (a KIP7 safeTransfer to the bridge, `onKIP7Received`; Klaytn's
// service-chain hook `onERC20Received`) credited the amount the token claims it sent. A fee-on-transfer token then
// made the bridge promise more than it holds: in lock mode the last holders could never be paid, in mint/burn mode
// the burn of the claimed amount reverted or burnt value the bridge did not receive. Every path now credits what
// arrived: the hooks measure the bridge's balance against the balance it accounts for per token.
//
// Vulnerable variant each test fails on: `onKIP7Received` / `onERC20Received` crediting `amount` / `value` as the
// token reports them (the code before the fix).
import { expect } from "chai";
import type { Addressable } from "ethers";
import { network } from "hardhat";

import { bothModes, deployBridge, requestTxHash, TokenType } from "../helpers/bridge.js";

const { ethers, networkHelpers } = await network.create();

const coder = ethers.AbiCoder.defaultAbiCoder();
const FROM = ethers.getAddress("0x000000000000000000000000000000000000beef");

function transferData(to: string): string {
  return coder.encode(["address", "bytes"], [to, "0x"]);
}

describe("Security: fee-on-transfer tokens are credited with what arrived (audit finding 1)", function () {
  /** A bridge (lock mode unless `modeMintBurn`) with a registered 1%-fee token; `user` holds 1,000,000 of it. */
  async function deploy(modeMintBurn: boolean) {
    const [owner, user, recipient, feeReceiver, other] = await ethers.getSigners();
    const bridge = await deployBridge(ethers, modeMintBurn);
    const token = await ethers.deployContract("FeeOnTransferToken", ["Fee On Transfer", "FOT", 0n]);
    await token.mint(user, 1_000_000n);
    await token.mint(other, 1_000_000n);
    await bridge.registerToken(token, ethers.Wallet.createRandom().address);
    return { bridge, token, owner, user, recipient, feeReceiver, other };
  }
  const { lockMode, MODES } = bothModes(deploy);
  type Fixture = Awaited<ReturnType<typeof lockMode>>;

  function safeTransfer(f: Fixture, amount: bigint, from = f.user) {
    return f.token.connect(from).safeTransfer(f.bridge, amount, transferData(f.recipient.address));
  }

  /** Expects `tx` to emit the request of `f.user`'s `token` to `f.recipient`, `credited` and `fee` as the bridge counted them. */
  async function expectRequested(
    f: Fixture,
    tx: Promise<unknown>,
    credited: bigint,
    { nonce = 0n, fee = 0n, token = f.token.target }: { nonce?: bigint; fee?: bigint; token?: string | Addressable } = {},
  ) {
    await expect(tx)
      .to.emit(f.bridge, "RequestValueTransfer")
      .withArgs(TokenType.ERC20, f.user.address, f.recipient.address, token, credited, nonce, fee, "0x");
  }

  function handle(f: Fixture, nonce: number, value: bigint) {
    return f.bridge
      .connect(f.owner)
      .handleERC20Transfer(requestTxHash(nonce, "fot"), FROM, f.recipient, f.token, value, nonce, 100 + nonce, "0x");
  }

  for (const [mode, fixture] of MODES) {
    describe(`${mode} mode`, function () {
      it("a KIP7 safeTransfer of 10,000 (onKIP7Received) is credited with the 9,900 that arrived", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const tx = safeTransfer(f, 10_000n);
        await expectRequested(f, tx, 9_900n);
        // lock mode keeps what it credited; mint/burn mode burns it
        expect(await f.token.balanceOf(f.bridge)).to.equal(mode === "lock" ? 9_900n : 0n);
      });

      it("Klaytn's onERC20Received is credited with what arrived less the fee limit", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        // 10,000 + 100 sent, 101 burnt on the way: 9,999 arrive; the fee limit of 100 goes back (no fee receiver)
        const tx = f.token.connect(f.user).requestValueTransfer(f.bridge, 10_000n, f.recipient, 100n, "0x");
        await expectRequested(f, tx, 9_899n);
        expect(await f.token.balanceOf(f.bridge)).to.equal(mode === "lock" ? 9_899n : 0n);
      });

      it("with a token fee, the fee is taken out of what arrived", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await f.bridge.setERC20Fee(f.token, 100n, 0n);
        await f.bridge.setFeeReceiver(f.feeReceiver);
        const tx = safeTransfer(f, 10_000n);
        await expectRequested(f, tx, 9_800n, { fee: 100n });
        // the fee receiver gets the 100 less the token's own 1%
        await expect(tx).to.changeTokenBalance(ethers, f.token, f.feeReceiver, 99n);
        expect(await f.token.balanceOf(f.bridge)).to.equal(mode === "lock" ? 9_800n : 0n);
      });
    });
  }

  it("lock mode: every holder can be paid back, whatever path locked the value and whatever was paid out between", async function () {
    const f = await networkHelpers.loadFixture(lockMode);
    // approve path: 1,000 sent, 990 arrive and are credited
    await f.token.connect(f.other).approve(f.bridge, 1_000n);
    await expect(f.bridge.connect(f.other).requestERC20Transfer(f.token, f.recipient, 1_000n, 0n, "0x"))
      .to.emit(f.bridge, "RequestValueTransfer")
      .withArgs(TokenType.ERC20, f.other.address, f.recipient.address, f.token.target, 990n, 0n, 0n, "0x");
    // a handle pays 500 of it out: the reference point of the next one-step request follows
    await expect(handle(f, 0, 500n)).to.emit(f.bridge, "HandleValueTransfer");
    await expectRequested(f, safeTransfer(f, 10_000n), 9_900n, { nonce: 1n });
    await expectRequested(f, f.token.connect(f.user).requestValueTransfer(f.bridge, 5_000n, f.recipient, 0n, "0x"), 4_950n, { nonce: 2n });
    // what is still owed: 490 + 9,900 + 4,950; the bridge holds exactly that, and pays each holder in full
    expect(await f.token.balanceOf(f.bridge)).to.equal(15_340n);
    let nonce = 1;
    for (const owed of [490n, 9_900n, 4_950n]) {
      await expect(handle(f, nonce++, owed)).to.emit(f.bridge, "HandleValueTransfer");
    }
    expect(await f.token.balanceOf(f.bridge)).to.equal(0n);
  });

  it("lock mode: a one-step request of a token without fee is credited in full after liquidity and payouts", async function () {
    const f = await networkHelpers.loadFixture(lockMode);
    const exact = await ethers.deployContract("KIP7Token", ["Exact", "EX", 18, 1_000_000n]);
    await f.bridge.registerToken(exact, ethers.Wallet.createRandom().address);
    // liquidity sent outside any request, then a payout out of it
    await exact.transfer(f.bridge, 5_000n);
    await f.bridge.handleERC20Transfer(requestTxHash(0, "exact"), FROM, f.recipient, exact, 3_000n, 0, 100, "0x");
    await exact.transfer(f.user, 10_000n);
    for (let nonce = 0n; nonce < 2n; nonce++) {
      await expectRequested(f, exact.connect(f.user)["safeTransfer(address,uint256,bytes)"](f.bridge, 4_000n, transferData(f.recipient.address)), 4_000n, { nonce, token: exact.target });
    }
    expect(await exact.balanceOf(f.bridge)).to.equal(10_000n);
  });
});
