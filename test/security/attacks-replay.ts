// Class 3 of issue 6, replay. The map of every attack class to its tests is in attacks.ts.
import { expect } from "chai";
import { network } from "hardhat";

import { ONE, destination, signedBy, signedKlay } from "./helpers.js";
import { bridgeDomain } from "../../src/signatures.js";
import { VoteType } from "../../src/protocol/constants.js";

const { ethers, networkHelpers } = await network.create();
const parent = await network.create("parent");
const child = await network.create("child");

const fixture = () => destination(ethers);

/**
 * The same bridge, deployed as the first transaction of the same deployer on the parent and on the child chain: the
 * two bridges have the same address and the same operators (the deployer and op2, threshold 2); only the chain ids
 * differ. Each holds 10 KLAY.
 */
async function twin(side: typeof parent) {
    const [owner, op2, , , , user] = await side.ethers.getSigners();
    const bridge = await side.ethers.deployContract("Bridge", [false], { value: 10n * ONE });
    await bridge.registerOperator(op2);
    await bridge.setOperatorThreshold(VoteType.ValueTransfer, 2);
    const { chainId } = await side.ethers.provider.getNetwork();
    return { ethers: side.ethers, bridge, owner, op2, user, chainId, domain: bridgeDomain(chainId, await bridge.getAddress()) };
}
const parentTwin = () => twin(parent);
const childTwin = () => twin(child);

/** Both twins, each from its own chain's snapshot (so each is its deployer's first transaction every time). */
async function twins() {
  return { p: await parent.networkHelpers.loadFixture(parentTwin), c: await child.networkHelpers.loadFixture(childTwin) };
}

describe("Security: 3. replay", function () {
  it("a nonce handled once is not handled again under another request tx hash or content, by either path", async function () {
    // Vulnerable variant: a bridge that remembers handled transfers by request tx hash or by content hash (Klaytn's
    // handledRequestTx alone) instead of by nonce: the same request re-signed with another hash pays twice.
    const f = await networkHelpers.loadFixture(fixture);
    const first = signedKlay(f.user.address, 0n);
    await f.bridge.handleSignedTransfers([first], await signedBy(f.domain, [first], [f.owner, f.op2, f.op3]));
    const again = { ...first, requestTxHash: ethers.id("another hash"), to: f.outsider.address };
    const next = signedKlay(f.user.address, 1n);
    const batch = [again, next];
    const tx = f.bridge.handleSignedTransfers(batch, await signedBy(f.domain, batch, [f.owner, f.op2, f.op3]));
    await expect(tx).to.changeEtherBalances(ethers, [f.outsider, f.user], [0n, ONE]);
    await expect(tx).to.emit(f.bridge, "HandleValueTransfer").withArgs(next.requestTxHash, 0, ethers.getAddress(next.from), next.to, ethers.ZeroAddress, ONE, 1n, 2n, "0x");
    for (const op of [f.owner, f.op2, f.op3]) {
      await expect(
        f.bridge.connect(op).handleKLAYTransfer(again.requestTxHash, again.from, again.to, ONE, 0n, 1n, "0x"),
      ).to.be.revertedWithCustomError(f.bridge, "NonceAlreadyPassed");
    }
    expect(await f.bridge.handledRequestTx(again.requestTxHash)).to.equal(false);
  });

  it("a batch signed for the parent bridge is refused by the child bridge at the same address, same operators", async function () {
    // Vulnerable variant: a bridge whose EIP-712 domain binds the verifying contract but not the chain id (or reads
    // the chain id once at deployment and caches a separator that a twin deployment shares): the two twins below
    // would then accept each other's batches.
    const { p, c } = await twins();
    expect(await c.bridge.getAddress()).to.equal(await p.bridge.getAddress());
    expect(c.chainId).to.not.equal(p.chainId);
    const transfers = [signedKlay(p.user.address, 0n)];
    const signatures = await signedBy(p.domain, transfers, [p.owner, p.op2]);
    expect(await c.bridge.batchDigest(transfers)).to.not.equal(await p.bridge.batchDigest(transfers));

    await expect(p.bridge.handleSignedTransfers(transfers, signatures)).to.changeEtherBalance(p.ethers, p.user, ONE);
    await expect(c.bridge.handleSignedTransfers(transfers, signatures)).to.be.revertedWithCustomError(
      c.bridge,
      "SignerNotOperator",
    );
    expect(await c.bridge.isHandled(0n)).to.equal(false);
    expect(await c.ethers.provider.getBalance(c.bridge)).to.equal(10n * ONE);
  });

  it("a per-operator vote for bridge A cannot be replayed on bridge B at the same address on another chain", async function () {
    // The per-operator vote is keyed by its call data only, which holds no chain id: the same call data is a valid
    // vote on both twins. What protects it is not the bridge's hashing but who may cast it: (1) a vote counts only
    // for msg.sender, a current operator of B, so anyone else replaying the call data on B is refused; (2) the
    // operator's own signed transaction for A carries A's chain id (EIP-155) and is refused by B's chain; (3) an
    // honest operator only votes a request it saw on B's counterpart bridge, whose nonces are its own. The contract
    // guarantees (1), the chain (2); (3) is the operators' part of the trust model, and is not tested here.
    // Vulnerable variant: a bridge that accepted a vote relayed by a non-operator (say, a vote signed off chain by an
    // operator and submitted by anyone, without a chain id in what is signed).
    const { p, c } = await twins();
    const wallet = ethers.Wallet.createRandom();
    for (const side of [p, c]) {
      await side.bridge.registerOperator(wallet.address);
      await side.owner.sendTransaction({ to: wallet.address, value: ONE });
    }
    const data = p.bridge.interface.encodeFunctionData("handleKLAYTransfer", [
      ethers.id("parent request 0"),
      p.owner.address,
      p.user.address,
      ONE,
      0n,
      1n,
      "0x",
    ]);
    const onParent = wallet.connect(p.ethers.provider);
    const raw = await onParent.signTransaction(
      await onParent.populateTransaction({ to: await p.bridge.getAddress(), data, gasLimit: 300_000n }),
    );
    await (await p.ethers.provider.broadcastTransaction(raw)).wait();
    // the owner's vote completes it on the parent
    await expect(p.owner.sendTransaction({ to: await p.bridge.getAddress(), data })).to.changeEtherBalance(
      p.ethers,
      p.user,
      ONE,
    );

    // (2) the operator's transaction, replayed on the child chain, is refused by the chain
    let refusal = "";
    try {
      await c.ethers.provider.broadcastTransaction(raw);
    } catch (error) {
      refusal = String(error);
    }
    expect(refusal).to.match(/invalid chainId/);
    // (1) the same call data from anyone but an operator of B is refused by B
    await expect(c.user.sendTransaction({ to: await c.bridge.getAddress(), data }))
      .to.be.revertedWithCustomError(c.bridge, "NotOperator")
      .withArgs(c.user.address);
    // and the twin's nonce 0 is untouched: one of its two operators' votes is still needed for any content
    expect(await c.bridge.isHandled(0n)).to.equal(false);
    await expect(c.owner.sendTransaction({ to: await c.bridge.getAddress(), data })).not.to.emit(
      c.bridge,
      "HandleValueTransfer",
    );
    expect(await c.ethers.provider.getBalance(c.bridge)).to.equal(10n * ONE);
  });
});
