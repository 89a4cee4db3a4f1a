/**
 * The signature exchange of the signed path: files in the shared directory, checked before anything is signed or
 * submitted.
 */
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import {
  CounterpartTokens,
  HANDLE_BATCH_TYPES,
  SignatureDirectory,
  bridgeDomain,
  decodeTokenURI,
  memoryLogger,
  readRequests,
  signBatch,
} from "../../src/relayer/index.js";
import { decodeRequestLog } from "../../src/protocol/requests.js";
import { AbiCoder, Signature, Wallet, ZeroAddress, hexlify, randomBytes } from "ethers";
import { ONE, deployPair, expectConservation, proposeChildBatch, relayerFor, requestEachKind, stepAll, useTwoChains } from "./helpers.js";

describe("relayer signature exchange", function () {
  const frame = useTwoChains("relayer-signatures-");

  it("decodes Klaytn's double-encoded token URI, long and non-ASCII ones included", function () {
    const abi = AbiCoder.defaultAbiCoder();
    const uri = `ipfs://${"é".repeat(100)}/${"x".repeat(200)}`;
    const raw = abi.encode(["string"], [uri]);
    expect(decodeTokenURI(abi.encode(["bytes"], [raw]))).to.equal(uri);
    expect(decodeTokenURI(abi.encode(["bytes"], ["0x"]))).to.equal("");
  });

  it("signs a batch as signTypedData does, through the node or with a wallet's key", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const domain = bridgeDomain(31338n, await pair.child.bridge.getAddress());
    const transfers = Array.from({ length: 7 }, (_, i) => ({
      requestTxHash: hexlify(randomBytes(32)),
      tokenType: i % 3,
      from: pair.user,
      to: i % 2 === 0 ? pair.user : pair.operators[0],
      tokenAddress: i === 0 ? ZeroAddress : pair.operators[1],
      valueOrTokenId: 2n ** 200n + BigInt(i),
      requestNonce: BigInt(i),
      requestBlockNumber: BigInt(100 + i),
      tokenURI: i % 2 === 0 ? "" : `ipfs://é/${i}`,
      extraData: i % 2 === 0 ? "0x" : hexlify(randomBytes(i)),
    }));
    const operator = pair.child.signers.find((signer) => signer.address === pair.operators[0])!;
    const generic = await operator.signTypedData(domain, HANDLE_BATCH_TYPES, { transfers });
    expect(await signBatch(operator, domain, transfers)).to.equal(Signature.from(generic).serialized);
    const wallet = Wallet.createRandom();
    expect(await signBatch(wallet, domain, transfers)).to.equal(
      Signature.from(await wallet.signTypedData(domain, HANDLE_BATCH_TYPES, { transfers })).serialized,
    );
    // a signer its provider does not sign for goes the generic way
    const stranger = Wallet.createRandom();
    const viaProvider = { address: stranger.address, provider: frame.child.ethers.provider, signTypedData: stranger.signTypedData.bind(stranger) };
    expect(await signBatch(viaProvider, domain, transfers)).to.equal(
      Signature.from(await stranger.signTypedData(domain, HANDLE_BATCH_TYPES, { transfers })).serialized,
    );
  });

  it("reads request logs as the bridge's ABI decodes them, and skips logs that are not requests", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    await requestEachKind(pair, "parent", 1n, 3n * ONE);
    await requestEachKind(pair, "parent", 2n, 2n * ONE);
    const side = "parent";
    const bridge = pair[side].bridge;
    const logs = await bridge.runner!.provider!.getLogs({ address: await bridge.getAddress(), fromBlock: 0, toBlock: "latest" });
    const requests = await readRequests(side, bridge, new CounterpartTokens(bridge), bridge.runner!.provider!, 0, await pair[side].connection.ethers.provider.getBlockNumber(), 1000);
    const expected = logs
      .map((log) => bridge.interface.parseLog(log))
      .filter((event) => event !== null && event.name.startsWith("RequestValueTransfer"));
    expect(requests.map((request) => request.requestNonce)).to.deep.equal(expected.map((event) => event!.args.requestNonce as bigint));
    for (const [i, request] of requests.entries()) {
      const args = expected[i]!.args;
      expect([request.tokenType, request.from, request.to, request.sourceToken, request.valueOrTokenId, request.extraData]).to.deep.equal([
        Number(args.tokenType),
        args.from,
        args.to,
        args.tokenAddress,
        args.valueOrTokenId,
        args.extraData,
      ]);
      if (expected[i]!.name === "RequestValueTransferEncoded") expect(request.tokenURI).to.equal(decodeTokenURI(args.encodedData as string));
    }
    expect(requests.some((request) => request.tokenURI === "ipfs://token/1")).to.equal(true);
    expect(requests.some((request) => request.extraData === "0xbeef")).to.equal(true);
    // a log whose data is cut short is not a request
    const [first] = logs.filter((log) => log.topics[0] === bridge.interface.getEvent("RequestValueTransfer").topicHash);
    const cut = { ...first, data: first.data.slice(0, 2 + 64 * 4) } as typeof first;
    expect(await decodeRequestLog(side, bridge, new CounterpartTokens(bridge), cut)).to.equal(undefined);
  });

  it("writes one file per operator per batch whose digest the bridge computes too; a forged batch is refused", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const signatureDir = join(frame.directory.path, "signatures");
    const logger = memoryLogger();
    const [first, second, third] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, { signatureDir }),
      await relayerFor(pair, 1, frame.directory.path, { signatureDir, logger }),
      await relayerFor(pair, 2, frame.directory.path, { signatureDir, logger }),
    ]);
    await requestEachKind(pair, "parent", 1n, 7n * ONE);
    await stepAll([first]);

    const bridgeAddress = await pair.child.bridge.getAddress();
    const domain = bridgeDomain(31338n, bridgeAddress);
    const shared = new SignatureDirectory(signatureDir, domain);
    const [digest] = await shared.proposals();
    const files = await readdir(join(shared.root, digest));
    expect(files).to.deep.equal([`${pair.operators[0].toLowerCase()}.json`]);
    const [entry] = await shared.read(digest);
    expect(entry.transfers.map((transfer) => transfer.requestNonce)).to.deep.equal([0n, 1n, 2n]);
    expect(await pair.child.bridge.batchDigest(entry.transfers)).to.equal(digest);
    const file = JSON.parse(await readFile(join(shared.root, digest, files[0]), "utf8")) as { format: unknown };
    expect(file.format).to.equal("servicechain-bridge/handle-batch-signature@1");

    // a dishonest operator proposes the same requests paid to itself: the honest relayer will not sign it
    const forged = entry.transfers.map((transfer) => ({ ...transfer, to: pair.operators[2] }));
    const forgedDigest = await proposeChildBatch(pair, signatureDir, 2, forged);
    // and a file whose signature does not match its signer is ignored
    const bogus = join(shared.root, digest, `${pair.operators[2].toLowerCase()}.json`);
    await writeFile(bogus, JSON.stringify({ ...file, signer: pair.operators[2] }));

    await stepAll([second]);
    // declined: as conflicting with the honest batch it signed (sent, its receipt read at the end of the step), or,
    // had it come first, refused by the check against the source chain
    const declined = logger.records.filter((record) => record.fields.digest === forgedDigest).map((record) => record.action);
    expect(declined).to.satisfy((actions: string[]) => actions.includes("conflicting-batch") || actions.includes("refuse-batch"));
    expect(declined, "the forged batch is never co-signed").to.not.include("cosign");
    expect(logger.records.some((record) => record.action === "bad-signature-file")).to.equal(true);
    expect(logger.records.some((record) => record.action === "submit" && record.fields.digest === digest)).to.equal(true);
    expect(await pair.child.kip7.balanceOf(pair.operators[2])).to.equal(0n);
    expect(await pair.child.kip7.balanceOf(pair.user)).to.equal(7n * ONE);
    await stepAll([third, first]);
    expect((await shared.proposals()).includes(digest), "a handled batch's files are removed").to.equal(false);
    await expectConservation(pair);
  });
});
