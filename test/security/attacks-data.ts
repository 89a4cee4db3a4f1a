// Classes 4 (zero and uninitialised values), 5 (privileged calls through the bridge) and 6 (reentrancy) of issue 6.
// The map of every attack class to its tests is in attacks.ts.
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { ONE, destination, signedBy, signedKlay } from "./helpers.js";
import type { SignedTransfer } from "../../src/signatures.js";
import type { Bridge, HostileNFTReceiver } from "../../types/ethers-contracts/index.js";
import { ParkedStatus, recoveryOf, transferContentHash } from "../helpers/bridge.js";
import { VoteType } from "../../src/protocol/constants.js";

const { ethers, networkHelpers } = await network.create();

const lockMode = () => destination(ethers);
const mintBurnMode = () => destination(ethers, true);
type Fixture = Awaited<ReturnType<typeof lockMode>>;

/** Signs `transfers` with three operators (the threshold) and submits them from `submitter`. */
async function submit(f: Fixture, transfers: SignedTransfer[]) {
  const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2, f.op3]);
  return f.bridge.connect(f.submitter).handleSignedTransfers(transfers, signatures);
}

/** Arms `receiver`'s hooks to re-enter `handleSignedTransfers` with a signed batch paying `f.user` for nonce 5. */
async function armNested(f: Fixture, receiver: HostileNFTReceiver) {
  const nested = [signedKlay(f.user.address, 5n)];
  await receiver.arm(
    f.bridge,
    f.bridge.interface.encodeFunctionData("handleSignedTransfers", [
      nested,
      await signedBy(f.domain, nested, [f.owner, f.op2, f.op3]),
    ]),
  );
}

/** Owner, operators, thresholds and counterpart of `bridge`: what a privileged call would change. */
async function configuration(bridge: Bridge) {
  return {
    owner: await bridge.owner(),
    operators: [...(await bridge.getOperatorList())].sort(),
    thresholds: [await bridge.operatorThresholds(VoteType.ValueTransfer), await bridge.operatorThresholds(VoteType.Configuration)],
    counterpart: await bridge.counterpartBridge(),
    configurationNonce: await bridge.configurationNonce(),
    requestNonce: await bridge.requestNonce(),
    tokens: [...(await bridge.getRegisteredTokenList())],
  };
}

/** Call data of every owner-only configuration change, naming `attacker`. */
function privilegedCalls(bridge: Bridge, attacker: string): string[] {
  return [
    bridge.interface.encodeFunctionData("registerOperator", [attacker]),
    bridge.interface.encodeFunctionData("setCounterPartBridge", [attacker]),
    bridge.interface.encodeFunctionData("transferOwnership", [attacker]),
    bridge.interface.encodeFunctionData("setOperatorThreshold", [0, 1]),
    bridge.interface.encodeFunctionData("deregisterOperator", [attacker]),
    bridge.interface.encodeFunctionData("registerToken", [attacker, attacker]),
  ];
}

/** The three votes that reach the threshold of the fixture, the last one returned (it executes). */
async function voteThrice(f: Fixture, vote: (op: HardhatEthersSigner) => Promise<unknown>) {
  await vote(f.owner);
  await vote(f.op2);
  return vote(f.op3);
}

describe("Security: attacks that drained bridges (values, privileges, reentrancy)", function () {
  describe("4. zero and uninitialised values (Nomad, Qubit)", function () {
    it("the zero token is never a registered token nor KLAY: requests refused", async function () {
      // Vulnerable variant (Qubit): a bridge whose token path treats address 0 as the native coin (or whose
      // registry answers "registered" for 0), so a token request of 0x0 mints on the other side with nothing locked.
      const f = await networkHelpers.loadFixture(lockMode);
      expect(await f.bridge.registeredTokens(ethers.ZeroAddress)).to.equal(ethers.ZeroAddress);
      await expect(f.bridge.connect(f.user).requestERC20Transfer(ethers.ZeroAddress, f.user, ONE, 0n, "0x"))
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(ethers.ZeroAddress);
      await expect(f.bridge.connect(f.user).requestERC721Transfer(ethers.ZeroAddress, f.user, 1n, "0x"))
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(ethers.ZeroAddress);
      expect(await f.bridge.requestNonce()).to.equal(0n);
    });

    it("the zero token is never paid out, as a token or as KLAY, on either handle path", async function () {
      // Vulnerable variant: a payout that falls back to the KLAY branch for token 0 (a "token" transfer of
      // tokenType 1 paid in KLAY), or a registry check skipped for token 0.
      const f = await networkHelpers.loadFixture(lockMode);
      const klayBefore = await ethers.provider.getBalance(f.bridge);
      // per-operator votes: the executing vote reverts, so nothing is recorded
      await f.bridge.connect(f.owner).handleERC20Transfer(ethers.ZeroHash, f.owner, f.user, ethers.ZeroAddress, ONE, 0n, 1n, "0x");
      await f.bridge.connect(f.op2).handleERC20Transfer(ethers.ZeroHash, f.owner, f.user, ethers.ZeroAddress, ONE, 0n, 1n, "0x");
      await expect(
        f.bridge.connect(f.op3).handleERC20Transfer(ethers.ZeroHash, f.owner, f.user, ethers.ZeroAddress, ONE, 0n, 1n, "0x"),
      )
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(ethers.ZeroAddress);
      await expect(
        voteThrice(f, (op) =>
          f.bridge.connect(op).handleERC721Transfer(ethers.ZeroHash, f.owner, f.user, ethers.ZeroAddress, 1n, 1n, 1n, "", "0x"),
        ),
      )
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(ethers.ZeroAddress);
      // signed batches: tokenType 1 and 2 with token 0
      for (const tokenType of [1, 2]) {
        await expect(submit(f, [{ ...signedKlay(f.user.address, 2n), tokenType }]))
          .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
          .withArgs(ethers.ZeroAddress);
      }
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(klayBefore);
      for (const n of [0n, 1n, 2n]) expect(await f.bridge.isHandled(n)).to.equal(false);
    });

    it("a KLAY transfer naming a token is refused, never paid in KLAY nor in the token", async function () {
      // Vulnerable variant: a KLAY branch that ignores the token address, so a transfer of tokenType 0 naming a
      // registered token (or a token transfer mislabelled as KLAY) pays the native coin.
      const f = await networkHelpers.loadFixture(lockMode);
      const klayBefore = await ethers.provider.getBalance(f.bridge);
      const token = await f.kip7.getAddress();
      const tokenBefore = await f.kip7.balanceOf(f.bridge);
      await expect(submit(f, [{ ...signedKlay(f.user.address, 0n), tokenAddress: token }]))
        .to.be.revertedWithCustomError(f.bridge, "KLAYTransferWithToken")
        .withArgs(token);
      expect(await ethers.provider.getBalance(f.bridge)).to.equal(klayBefore);
      expect(await f.kip7.balanceOf(f.bridge)).to.equal(tokenBefore);
      expect(await f.bridge.isHandled(0n)).to.equal(false);
    });

    it("a token known only as the counterpart of a pair is not registered here, even when the bridge holds it", async function () {
      // Vulnerable variant: a two-way registry (token => counterpart and counterpart => token in one map), so the
      // other chain's address of a pair — here a token deployed at that address on this chain — counts as
      // registered: requests of it are accepted and handles pay it out.
      const f = await networkHelpers.loadFixture(lockMode);
      const local = await ethers.deployContract("KIP7Token", ["Local", "L", 18, 1_000n * ONE]);
      const shadow = await ethers.deployContract("KIP7Token", ["Shadow", "SH", 18, 1_000n * ONE]);
      await f.bridge.registerToken(local, shadow);
      await shadow.transfer(f.bridge, 10n * ONE);
      await shadow.transfer(f.user, 10n * ONE);
      expect(await f.bridge.registeredTokens(shadow)).to.equal(ethers.ZeroAddress);
      await shadow.connect(f.user).approve(f.bridge, ONE);
      await expect(f.bridge.connect(f.user).requestERC20Transfer(shadow, f.user, ONE, 0n, "0x"))
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(await shadow.getAddress());
      await expect(submit(f, [{ ...signedKlay(f.user.address, 0n), tokenType: 1, tokenAddress: await shadow.getAddress() }]))
        .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
        .withArgs(await shadow.getAddress());
      await expect(
        voteThrice(f, (op) =>
          f.bridge.connect(op).handleERC20Transfer(ethers.ZeroHash, f.owner, f.user, shadow, ONE, 0n, 1n, "0x"),
        ),
      ).to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered");
      // the counterpart address as the other chain knows it (never a token here) is refused as well
      await expect(
        submit(f, [{ ...signedKlay(f.user.address, 0n), tokenType: 1, tokenAddress: f.kip7Counterpart }]),
      ).to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered");
      expect(await shadow.balanceOf(f.bridge)).to.equal(10n * ONE);
      expect(await shadow.balanceOf(f.user)).to.equal(10n * ONE);
    });

    it("the zero recipient is refused on the signed path and by the executing KIP17 vote", async function () {
      // Vulnerable variant: a handle that pays to whatever `to` says, burning KLAY or tokens at address 0 (or
      // minting there through a lax token) while the nonce counts as delivered.
      const f = await networkHelpers.loadFixture(lockMode);
      const kip7 = await f.kip7.getAddress();
      for (const t of [
        signedKlay(ethers.ZeroAddress, 0n),
        { ...signedKlay(ethers.ZeroAddress, 0n), tokenType: 1, tokenAddress: kip7 },
        { ...signedKlay(ethers.ZeroAddress, 0n, 1n), tokenType: 2, tokenAddress: await f.kip17.getAddress() },
      ]) {
        await expect(submit(f, [signedKlay(f.user.address, 1n), t])).to.be.revertedWithCustomError(f.bridge, "ZeroRecipient");
      }
      await expect(
        voteThrice(f, (op) =>
          f.bridge.connect(op).handleERC721Transfer(ethers.ZeroHash, f.owner, ethers.ZeroAddress, f.kip17, 1n, 0n, 1n, "", "0x"),
        ),
      ).to.be.revertedWithCustomError(f.bridge, "ZeroRecipient");
      expect(await f.kip17.ownerOf(1n)).to.equal(await f.bridge.getAddress());
      expect(await f.bridge.isHandled(0n)).to.equal(false);
      expect(await f.bridge.isHandled(1n)).to.equal(false); // the whole batch reverted
    });

    it("a fresh bridge: nonce 0 and request tx hash 0 read as not handled, and still need the threshold", async function () {
      // Vulnerable variant (Nomad): a bridge whose default storage reads as approved — e.g. `handled[nonce]` compared
      // with an uninitialised `lowerHandleNonce` as `<=`, or the zero request tx hash (the zero root of Nomad)
      // treated as already proven — so nonce 0 or hash 0 executes without the operators.
      const f = await networkHelpers.loadFixture(lockMode);
      expect(await f.bridge.isHandled(0n)).to.equal(false);
      expect(await f.bridge.closedValueTransferVotes(0n)).to.equal(false);
      expect(await f.bridge.handledRequestTx(ethers.ZeroHash)).to.equal(false);
      expect(await f.bridge.lowerHandleNonce()).to.equal(0n);
      expect(await f.bridge.upperHandleNonce()).to.equal(0n);
      const args = [ethers.ZeroHash, ethers.ZeroAddress, f.user.address, ONE, 0n, 0n, "0x"] as const;
      await expect(f.bridge.connect(f.owner).handleKLAYTransfer(...args)).not.to.emit(f.bridge, "HandleValueTransfer");
      await expect(f.bridge.connect(f.op2).handleKLAYTransfer(...args)).not.to.emit(f.bridge, "HandleValueTransfer");
      const zeroSigned = signedKlay(f.user.address, 0n, ONE, { requestTxHash: ethers.ZeroHash, requestBlockNumber: 0n });
      await expect(
        f.bridge.handleSignedTransfers([zeroSigned], await signedBy(f.domain, [zeroSigned], [f.owner, f.op2])),
      ).to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures");
      expect(await f.bridge.isHandled(0n)).to.equal(false);
      expect(await f.bridge.handledRequestTx(ethers.ZeroHash)).to.equal(false);
      await expect(f.bridge.connect(f.op3).handleKLAYTransfer(...args)).to.changeEtherBalance(ethers, f.user, ONE);
      expect(await f.bridge.isHandled(0n)).to.equal(true);
      expect(await f.bridge.handledRequestTx(ethers.ZeroHash)).to.equal(true);
    });
  });

  describe("5. privileged calls through the bridge (Poly Network)", function () {
    it("extraData holding owner-only call data is delivered as data, on both paths, and changes no configuration", async function () {
      // Vulnerable variant (Poly Network): a bridge that calls the recipient, the token or itself with the transfer's
      // extraData (a "cross-chain call"), letting the content of a transfer run a privileged function of the bridge
      // or of a contract that trusts the bridge.
      const f = await networkHelpers.loadFixture(lockMode);
      const before = await configuration(f.bridge);
      const calls = privilegedCalls(f.bridge, f.outsider.address);
      let nonce = 0n;
      for (const extraData of calls) {
        for (const to of [await f.bridge.getAddress(), f.user.address]) {
          if (to === (await f.bridge.getAddress())) {
            // the bridge as recipient of a KIP7 handle: tokens move to itself, nothing else happens
            const t = { ...signedKlay(to, nonce, 5n), tokenType: 1, tokenAddress: await f.kip7.getAddress(), extraData };
            await expect(submit(f, [t]))
              .to.emit(f.bridge, "HandleValueTransfer")
              .withArgs(t.requestTxHash, 1, ethers.getAddress(t.from), to, t.tokenAddress, 5n, nonce, nonce + 1n, extraData);
          } else {
            const vote = (op: HardhatEthersSigner) =>
              f.bridge.connect(op).handleKLAYTransfer(ethers.id(`vote ${nonce}`), f.owner, to, 5n, nonce, 1n, extraData);
            await expect(voteThrice(f, vote))
              .to.emit(f.bridge, "HandleValueTransfer")
              .withArgs(ethers.id(`vote ${nonce}`), 0, f.owner.address, to, ethers.ZeroAddress, 5n, nonce, nonce + 1n, extraData);
          }
          nonce++;
        }
      }
      expect(await configuration(f.bridge)).to.deep.equal(before);
      expect(await f.bridge.operators(f.outsider)).to.equal(false);
      expect(await f.kip7.balanceOf(f.bridge)).to.equal(1_000n * ONE);
    });

    it("the token contract as recipient, with owner-only call data of the token, gets tokens and nothing else", async function () {
      // Vulnerable variant: a payout that calls `to` with extraData, so a transfer to the token contract could run
      // the token's own admin functions with the bridge (its minter) as caller.
      const f = await networkHelpers.loadFixture(mintBurnMode);
      const token = await f.kip7.getAddress();
      const attacker = f.outsider.address;
      const tokenOwner = await f.kip7.owner();
      const extraData = f.kip7.interface.encodeFunctionData("mint", [attacker, 10n ** 30n]);
      const t = { ...signedKlay(token, 0n, 7n), tokenType: 1, tokenAddress: token, extraData };
      await expect(submit(f, [t])).to.emit(f.bridge, "HandleValueTransfer");
      expect(await f.kip7.balanceOf(token)).to.equal(7n);
      expect(await f.kip7.balanceOf(attacker)).to.equal(0n);
      expect(await f.kip7.totalSupply()).to.equal(7n);
      expect(await f.kip7.owner()).to.equal(tokenOwner);
    });

    it("a token URI holding privileged call data is stored verbatim and calls nothing", async function () {
      // Vulnerable variant: a mint/burn bridge that decodes or executes the URI it was given (or passes it to a hook
      // of the recipient) instead of storing it as the token's metadata.
      const f = await networkHelpers.loadFixture(mintBurnMode);
      const before = await configuration(f.bridge);
      const uris = privilegedCalls(f.bridge, f.outsider.address);
      const kip17 = await f.kip17.getAddress();
      const transfers = uris.map((uri, i) => ({
        ...signedKlay(i % 2 === 0 ? f.user.address : kip17, BigInt(i), 100n + BigInt(i)),
        tokenType: 2,
        tokenAddress: kip17,
        tokenURI: uri,
        extraData: uri,
      }));
      await submit(f, transfers.slice(0, 3));
      const vote = (op: HardhatEthersSigner) =>
        f.bridge.connect(op).handleERC721Transfer(ethers.ZeroHash, f.owner, f.bridge, f.kip17, 200n, 3n, 1n, uris[2], uris[0]);
      await voteThrice(f, vote);
      for (let i = 0; i < 3; i++) expect(await f.kip17.tokenURI(100n + BigInt(i))).to.equal(uris[i]);
      expect(await f.kip17.tokenURI(200n)).to.equal(uris[2]);
      expect(await f.kip17.ownerOf(200n)).to.equal(await f.bridge.getAddress());
      expect(await configuration(f.bridge)).to.deep.equal(before);
    });
  });

  describe("6. reentrancy", function () {
    it("a KLAY recipient re-entering handleSignedTransfers from a vote's payout is refused, same nonce or next", async function () {
      // Vulnerable variant: a bridge whose signed path is not under the lock of the vote path (two guards, or none on
      // the signed path), so a payout re-enters the other path while the first handle is half done.
      const f = await networkHelpers.loadFixture(lockMode);
      const attacker = await ethers.deployContract("ReentrantRecipient", [await f.bridge.getAddress()]);
      const nested = [signedKlay(await attacker.getAddress(), 0n), signedKlay(await attacker.getAddress(), 1n)];
      const signatures = await signedBy(f.domain, nested, [f.owner, f.op2, f.op3]);
      await attacker.arm(f.bridge.interface.encodeFunctionData("handleSignedTransfers", [nested, signatures]), 0n, true);
      const vote = (op: HardhatEthersSigner) =>
        f.bridge.connect(op).handleKLAYTransfer(nested[0].requestTxHash, nested[0].from, attacker, ONE, 0n, 1000n, "0x");
      const tx = voteThrice(f, vote);
      await expect(tx)
        .to.emit(attacker, "Reentered")
        .withArgs(false, f.bridge.interface.getError("ReentrancyGuardReentrantCall")!.selector);
      await expect(tx).to.changeEtherBalance(ethers, attacker, ONE);
      expect(await f.bridge.isHandled(1n)).to.equal(false);
    });

    it("mint/burn mode: NFT and KIP7 recipients' hostile receiver hooks are never called, so cannot re-enter", async function () {
      // Vulnerable variant: a payout through _safeMint / KIP7 safeTransfer, which calls the recipient's
      // onERC721Received / onKIP17Received / onKIP7Received. The receiver here re-enters handleSignedTransfers and then
      // reverts in every hook: on such a bridge the payout would fail.
      const f = await networkHelpers.loadFixture(mintBurnMode);
      const receiver = await ethers.deployContract("HostileNFTReceiver");
      const to = await receiver.getAddress();
      await armNested(f, receiver);
      const transfers = [
        { ...signedKlay(to, 0n, 1n), tokenType: 2, tokenAddress: await f.kip17.getAddress(), tokenURI: "ipfs://1" },
        { ...signedKlay(to, 1n, ONE), tokenType: 1, tokenAddress: await f.kip7.getAddress() },
      ];
      await expect(submit(f, transfers)).to.emit(f.bridge, "HandleValueTransfer").and.not.to.emit(f.bridge, "HandleValueTransferFailed");
      expect(await f.kip17.ownerOf(1n)).to.equal(to);
      expect(await f.kip7.balanceOf(to)).to.equal(ONE);
      // the vote path too
      await voteThrice(f, (op) =>
        f.bridge.connect(op).handleERC721Transfer(ethers.ZeroHash, f.owner, to, f.kip17, 2n, 2n, 1n, "ipfs://2", "0x"),
      );
      expect(await f.kip17.ownerOf(2n)).to.equal(to);
      expect(await f.bridge.isHandled(5n)).to.equal(false);
    });

    it("lock mode: a hostile NFT receiver hook cannot re-enter; its NFT payout fails and is parked, KIP7 is paid", async function () {
      // Vulnerable variant: a bridge without a reentrancy lock on its handle paths, whose lock-mode NFT payout
      // (safeTransferFrom, as Klaytn's) calls the recipient's hook: the receiver here re-enters handleSignedTransfers
      // from the hook, which would handle nonce 5 inside the payout. Ours refuses the re-entry (the transient lock);
      // the receiver then reverts, so its NFT stays with the bridge, parked as failed, while the KIP7 payout (a plain
      // transfer, no hook) goes through.
      const f = await networkHelpers.loadFixture(lockMode);
      const receiver = await ethers.deployContract("HostileNFTReceiver");
      const to = await receiver.getAddress();
      await armNested(f, receiver);
      const hookFailed = receiver.interface.encodeErrorResult("HookCalled", [false]); // false: the re-entry was refused
      const nft: SignedTransfer = {
        ...signedKlay(to, 0n, 1n),
        tokenType: 2,
        tokenAddress: await f.kip17.getAddress(),
        tokenURI: "ipfs://1",
      };
      const kip7: SignedTransfer = { ...signedKlay(to, 1n, ONE), tokenType: 1, tokenAddress: await f.kip7.getAddress() };
      const tx = submit(f, [nft, kip7]);
      await expect(tx)
        .to.emit(f.bridge, "HandleValueTransferFailed")
        .withArgs(nft.requestTxHash, 2, ethers.getAddress(nft.from), to, nft.tokenAddress, 1n, 0n, hookFailed);
      await expect(tx)
        .to.emit(f.bridge, "HandleValueTransfer")
        .withArgs(kip7.requestTxHash, 1, ethers.getAddress(kip7.from), to, kip7.tokenAddress, ONE, 1n, 2n, "0x");
      expect(await f.kip17.ownerOf(1n)).to.equal(await f.bridge.getAddress());
      expect(await f.kip7.balanceOf(to)).to.equal(ONE);
      const recovery = await recoveryOf(ethers, f.bridge);
      expect(await recovery.parkedTransfer(0n)).to.deep.equal([BigInt(ParkedStatus.Failed), transferContentHash(nft)]);
      // the vote path too
      const vote = (op: HardhatEthersSigner) =>
        f.bridge.connect(op).handleERC721Transfer(ethers.ZeroHash, f.owner, to, f.kip17, 2n, 2n, 1n, "ipfs://2", "0x");
      await vote(f.owner);
      await vote(f.op2);
      await expect(vote(f.op3))
        .to.emit(f.bridge, "HandleValueTransferFailed")
        .withArgs(ethers.ZeroHash, 2, f.owner.address, to, nft.tokenAddress, 2n, 2n, hookFailed);
      expect(await f.kip17.ownerOf(2n)).to.equal(await f.bridge.getAddress());
      expect(await f.bridge.isHandled(2n)).to.equal(true);
      expect(await f.bridge.isHandled(5n)).to.equal(false);
    });
  });
});
