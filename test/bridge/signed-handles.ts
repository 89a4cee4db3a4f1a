import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import {
  HANDLE_BATCH_TYPES,
  batchDigest,
  bridgeDomain,
  signBatch,
  type SignedTransfer,
} from "../../src/signatures.js";
import { signedBy, sortedByAddress } from "../helpers/signing.js";
import { VoteType } from "../../src/protocol/constants.js";

const { ethers, networkHelpers } = await network.create();

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const ONE = 10n ** 18n;

async function deployDestination() {
  const signers = await ethers.getSigners();
  const [owner, op2, op3, outsider, user, submitter] = signers;
  const bridge = await ethers.deployContract("Bridge", [false], { value: ethers.parseEther("100") });
  await bridge.registerOperator(op2);
  await bridge.registerOperator(op3);
  await bridge.setOperatorThreshold(VoteType.ValueTransfer, 2);
  const kip7 = await ethers.deployContract("KIP7Token", ["Child KIP7", "CK7", 18, 10n ** 24n]);
  const kip17 = await ethers.deployContract("KIP17Token", ["Child KIP17", "CK17"]);
  await bridge.registerToken(kip7, ethers.Wallet.createRandom().address);
  await bridge.registerToken(kip17, ethers.Wallet.createRandom().address);
  await kip7.transfer(bridge, 10n ** 23n);
  for (let id = 1n; id <= 3n; id++) await kip17.mintWithTokenURI(bridge, id, `ipfs://nft/${id}`);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = bridgeDomain(chainId, await bridge.getAddress());
  return { bridge, kip7, kip17, owner, op2, op3, outsider, user, submitter, domain, chainId };
}

type Fixture = Awaited<ReturnType<typeof deployDestination>>;

function klayTransfer(f: Fixture, nonce: bigint, value = ONE): SignedTransfer {
  return {
    requestTxHash: ethers.id(`request ${nonce}`),
    tokenType: 0,
    from: f.owner.address,
    to: f.user.address,
    tokenAddress: ethers.ZeroAddress,
    valueOrTokenId: value,
    requestNonce: nonce,
    requestBlockNumber: 1000n + nonce,
    tokenURI: "",
    extraData: "0x",
  };
}


/** Concatenates signatures in the given order, without sorting (to test the contract's own checks). */
async function rawSignatures(domain: Fixture["domain"], transfers: SignedTransfer[], signers: HardhatEthersSigner[]) {
  return ethers.concat(await Promise.all(signers.map((s) => signBatch(s, domain, transfers))));
}


describe("Bridge signed handles (EIP-712 batches)", function () {
  it("computes the same digest as ethers' EIP-712 encoder", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n), { ...klayTransfer(f, 1n), tokenType: 2, tokenURI: "ipfs://x", extraData: "0xbeef" }];
    expect(await f.bridge.batchDigest(transfers)).to.equal(batchDigest(f.domain, transfers));
    const [name, version, chainId, verifyingContract] = (await f.bridge.eip712Domain()).slice(1, 5);
    expect({ name, version, chainId, verifyingContract }).to.deep.equal({
      name: "ServiceChainBridge",
      version: "1",
      chainId: f.chainId,
      verifyingContract: await f.bridge.getAddress(),
    });
  });

  it("executes a batch signed by the threshold of operators, submitted by anyone", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2]);
    const tx = f.bridge.connect(f.submitter).handleSignedTransfers(transfers, signatures);
    await expect(tx)
      .to.emit(f.bridge, "HandleValueTransfer")
      .withArgs(transfers[0].requestTxHash, 0, f.owner.address, f.user.address, ethers.ZeroAddress, ONE, 0n, 1n, "0x");
    await expect(tx).to.changeEtherBalances(ethers, [f.user, f.bridge], [ONE, -ONE]);
    expect(await f.bridge.lowerHandleNonce()).to.equal(1n);
    expect(await f.bridge.upperHandleNonce()).to.equal(0n);
    expect(await f.bridge.recoveryBlockNumber()).to.equal(1000n);
    expect(await f.bridge.isHandled(0n)).to.equal(true);
  });

  it("executes a batch mixing KLAY, KIP7 and KIP17 in one transaction", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers: SignedTransfer[] = [
      klayTransfer(f, 0n),
      { ...klayTransfer(f, 1n, 5n * ONE), tokenType: 1, tokenAddress: await f.kip7.getAddress() },
      { ...klayTransfer(f, 2n, 2n), tokenType: 2, tokenAddress: await f.kip17.getAddress(), tokenURI: "ipfs://nft/2" },
    ];
    const signatures = await signedBy(f.domain, transfers, [f.op2, f.op3]);
    const tx = f.bridge.connect(f.submitter).handleSignedTransfers(transfers, signatures);
    await expect(tx).to.changeEtherBalance(ethers, f.user, ONE);
    await expect(tx).to.changeTokenBalance(ethers, f.kip7, f.user, 5n * ONE);
    expect(await f.kip17.ownerOf(2n)).to.equal(f.user.address);
    expect(await f.bridge.lowerHandleNonce()).to.equal(3n);
    expect(await f.bridge.upperHandleNonce()).to.equal(2n);
    expect(await f.bridge.recoveryBlockNumber()).to.equal(1002n);
  });

  it("keeps Klaytn's nonce bookkeeping for nonces signed out of order", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const later = [klayTransfer(f, 2n), klayTransfer(f, 1n)];
    await f.bridge.handleSignedTransfers(later, await signedBy(f.domain, later, [f.owner, f.op3]));
    expect(await f.bridge.lowerHandleNonce()).to.equal(0n);
    expect(await f.bridge.upperHandleNonce()).to.equal(2n);
    expect(await f.bridge.closedValueTransferVotes(1n)).to.equal(true);
    expect(await f.bridge.handleNoncesToBlockNums(2n)).to.equal(1002n);
    const first = [klayTransfer(f, 0n)];
    await f.bridge.handleSignedTransfers(first, await signedBy(f.domain, first, [f.owner, f.op3]));
    expect(await f.bridge.lowerHandleNonce()).to.equal(3n);
    expect(await f.bridge.recoveryBlockNumber()).to.equal(1002n);
    expect(await f.bridge.handleNoncesToBlockNums(2n)).to.equal(0n);
    expect(await f.bridge.closedValueTransferVotes(1n)).to.equal(false);
  });

  it("refuses one signature short of the threshold", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const signatures = await signedBy(f.domain, transfers, [f.owner]);
    await expect(f.bridge.handleSignedTransfers(transfers, signatures))
      .to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures")
      .withArgs(1n, 2n);
    expect(await f.bridge.isHandled(0n)).to.equal(false);
  });

  it("refuses the same signer twice and signers out of order", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const duplicate = await rawSignatures(f.domain, transfers, [f.owner, f.owner]);
    await expect(f.bridge.handleSignedTransfers(transfers, duplicate))
      .to.be.revertedWithCustomError(f.bridge, "SignersNotSorted")
      .withArgs(f.owner.address, f.owner.address);
    const [low, high] = sortedByAddress([f.op2, f.op3]);
    const descending = await rawSignatures(f.domain, transfers, [high, low]);
    await expect(f.bridge.handleSignedTransfers(transfers, descending))
      .to.be.revertedWithCustomError(f.bridge, "SignersNotSorted")
      .withArgs(high.address, low.address);
  });

  it("refuses a signature of an account that is not an operator", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const signatures = await signedBy(f.domain, transfers, [f.owner, f.outsider]);
    await expect(f.bridge.handleSignedTransfers(transfers, signatures))
      .to.be.revertedWithCustomError(f.bridge, "SignerNotOperator")
      .withArgs(f.outsider.address);
  });

  it("refuses a signature of a removed operator, and accepts a newly added one", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const signatures = await signedBy(f.domain, transfers, [f.owner, f.op3]);
    await f.bridge.deregisterOperator(f.op3);
    await expect(f.bridge.handleSignedTransfers(transfers, signatures))
      .to.be.revertedWithCustomError(f.bridge, "SignerNotOperator")
      .withArgs(f.op3.address);
    await f.bridge.registerOperator(f.outsider);
    await f.bridge.handleSignedTransfers(transfers, await signedBy(f.domain, transfers, [f.owner, f.outsider]));
    expect(await f.bridge.isHandled(0n)).to.equal(true);
  });

  it("refuses signatures made for another chain id or another bridge", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const otherChain = { ...f.domain, chainId: f.chainId + 1n };
    const otherBridge = { ...f.domain, verifyingContract: ethers.Wallet.createRandom().address };
    for (const domain of [otherChain, otherBridge]) {
      const signatures = await signedBy(domain, transfers, [f.owner, f.op2]);
      await expect(f.bridge.handleSignedTransfers(transfers, signatures)).to.be.revertedWithCustomError(
        f.bridge,
        "SignerNotOperator",
      );
    }
    expect(await f.bridge.isHandled(0n)).to.equal(false);
  });

  it("refuses a batch whose content differs from what was signed", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2]);
    const tampered: SignedTransfer[][] = [
      [{ ...transfers[0], to: f.outsider.address }],
      [{ ...transfers[0], valueOrTokenId: 2n * ONE }],
      [{ ...transfers[0], requestNonce: 5n }],
      [{ ...transfers[0], requestBlockNumber: 1n }],
      [{ ...transfers[0], extraData: "0x01" }],
      [{ ...transfers[0], requestTxHash: ethers.id("another request") }],
      [transfers[0], klayTransfer(f, 1n)],
    ];
    for (const batch of tampered) {
      await expect(f.bridge.handleSignedTransfers(batch, signatures)).to.be.revertedWithCustomError(
        f.bridge,
        "SignerNotOperator",
      );
    }
    expect(await ethers.provider.getBalance(f.outsider)).to.equal(ethers.parseEther("10000"));
  });

  it("refuses a malleable (high-s) signature and signatures of the wrong length", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n)];
    const [low, high] = sortedByAddress([f.owner, f.op2]);
    const good = ethers.Signature.from(await signBatch(low, f.domain, transfers));
    const flippedS = ethers.toBeHex(SECP256K1_N - BigInt(good.s), 32);
    const malleable = ethers.concat([good.r, flippedS, good.v === 27 ? "0x1c" : "0x1b"]);
    const second = await signBatch(high, f.domain, transfers);
    await expect(f.bridge.handleSignedTransfers(transfers, ethers.concat([malleable, second])))
      .to.be.revertedWithCustomError(f.bridge, "ECDSAInvalidSignatureS")
      .withArgs(flippedS);
    await expect(f.bridge.handleSignedTransfers(transfers, ethers.concat([good.serialized, second]).slice(0, -2)))
      .to.be.revertedWithCustomError(f.bridge, "InvalidSignaturesLength")
      .withArgs(129n);
    const zeroRecovering = ethers.concat([ethers.ZeroHash, ethers.toBeHex(1n, 32), "0x1b"]);
    await expect(
      f.bridge.handleSignedTransfers(transfers, ethers.concat([zeroRecovering, second])),
    ).to.be.revertedWithCustomError(f.bridge, "ECDSAInvalidSignature");
  });

  it("refuses an empty batch and an unknown token type", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    await expect(f.bridge.handleSignedTransfers([], "0x")).to.be.revertedWithCustomError(f.bridge, "EmptyBatch");
    const transfers = [{ ...klayTransfer(f, 0n), tokenType: 3 }];
    const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2]);
    await expect(f.bridge.handleSignedTransfers(transfers, signatures))
      .to.be.revertedWithCustomError(f.bridge, "InvalidTokenType")
      .withArgs(3);
  });

  it("refuses a signed transfer of a token not registered on this bridge", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const stray = await ethers.deployContract("KIP7Token", ["Stray", "S", 18, ONE]);
    await stray.transfer(f.bridge, ONE);
    const transfers = [{ ...klayTransfer(f, 0n), tokenType: 1, tokenAddress: await stray.getAddress() }];
    const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2]);
    await expect(f.bridge.handleSignedTransfers(transfers, signatures))
      .to.be.revertedWithCustomError(f.bridge, "TokenNotRegistered")
      .withArgs(await stray.getAddress());
  });

  it("executes a nonce once whichever path reaches it first", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfer = klayTransfer(f, 0n);
    const voteArgs = [
      transfer.requestTxHash,
      transfer.from,
      transfer.to,
      transfer.valueOrTokenId,
      transfer.requestNonce,
      transfer.requestBlockNumber,
      transfer.extraData,
    ] as const;
    // Votes first, then the same nonce by signatures: skipped, nothing paid twice.
    await f.bridge.connect(f.owner).handleKLAYTransfer(...voteArgs);
    await f.bridge.connect(f.op2).handleKLAYTransfer(...voteArgs);
    expect(await f.bridge.handledRequestTx(transfer.requestTxHash)).to.equal(true);
    const signatures = await signedBy(f.domain, [transfer], [f.owner, f.op2]);
    const replay = f.bridge.connect(f.submitter).handleSignedTransfers([transfer], signatures);
    await expect(replay).to.not.emit(f.bridge, "HandleValueTransfer");
    await expect(replay).to.changeEtherBalance(ethers, f.user, 0n);

    // Signatures first, then votes on the same nonce: refused as handled.
    const next = klayTransfer(f, 1n);
    await f.bridge.handleSignedTransfers([next], await signedBy(f.domain, [next], [f.op2, f.op3]));
    await expect(
      f.bridge
        .connect(f.op3)
        .handleKLAYTransfer(next.requestTxHash, next.from, next.to, next.valueOrTokenId, 1n, next.requestBlockNumber, "0x"),
    )
      .to.be.revertedWithCustomError(f.bridge, "NonceAlreadyPassed")
      .withArgs(1n, 2n);

    // A pending vote does not combine with signatures into a second execution.
    const third = klayTransfer(f, 2n);
    await f.bridge
      .connect(f.op3)
      .handleKLAYTransfer(third.requestTxHash, third.from, third.to, third.valueOrTokenId, 2n, third.requestBlockNumber, "0x");
    const thirdTx = f.bridge.handleSignedTransfers([third], await signedBy(f.domain, [third], [f.owner, f.op2]));
    await expect(thirdTx).to.changeEtherBalance(ethers, f.user, ONE);
    await expect(
      f.bridge
        .connect(f.owner)
        .handleKLAYTransfer(third.requestTxHash, third.from, third.to, third.valueOrTokenId, 2n, third.requestBlockNumber, "0x"),
    ).to.be.revertedWithCustomError(f.bridge, "NonceAlreadyPassed");
  });

  it("replays of a whole signed batch execute nothing", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [klayTransfer(f, 0n), klayTransfer(f, 1n)];
    const signatures = await signedBy(f.domain, transfers, [f.owner, f.op2]);
    await f.bridge.handleSignedTransfers(transfers, signatures);
    const replay = f.bridge.handleSignedTransfers(transfers, signatures);
    await expect(replay).to.not.emit(f.bridge, "HandleValueTransfer");
    await expect(replay).to.changeEtherBalance(ethers, f.user, 0n);
  });

  it("counts the threshold against the current operators: 5 of 9", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const signers = await ethers.getSigners();
    const nine = signers.slice(0, 3).concat(signers.slice(6, 12));
    for (const s of nine.slice(3)) await f.bridge.registerOperator(s);
    await f.bridge.setOperatorThreshold(VoteType.ValueTransfer, 5);
    const transfers = [klayTransfer(f, 0n)];
    await expect(
      f.bridge.handleSignedTransfers(transfers, await signedBy(f.domain, transfers, nine.slice(0, 4))),
    ).to.be.revertedWithCustomError(f.bridge, "NotEnoughSignatures");
    await f.bridge.handleSignedTransfers(transfers, await signedBy(f.domain, transfers, nine.slice(4, 9)));
    expect(await f.bridge.isHandled(0n)).to.equal(true);
  });

  it("hashes the EIP-712 types the relayer signs, dynamic fields of any length included", async function () {
    const f = await networkHelpers.loadFixture(deployDestination);
    const transfers = [
      { ...klayTransfer(f, 0n), tokenType: 2, tokenURI: `ipfs://${"n".repeat(57)}`, extraData: ethers.hexlify(ethers.randomBytes(33)) },
      { ...klayTransfer(f, 1n), extraData: ethers.hexlify(ethers.randomBytes(64)) },
      klayTransfer(f, 2n),
    ];
    expect(await f.bridge.batchDigest(transfers)).to.equal(ethers.TypedDataEncoder.hash(f.domain, HANDLE_BATCH_TYPES, { transfers }));
  });
});
