import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import type { Bridge } from "../../types/ethers-contracts/index.js";
import type { RequestValueTransferEncodedEvent } from "../../types/ethers-contracts/bridge/Bridge.js";
import type { SignedTransfer } from "../../src/signatures.js";
import { deployBridge, parkedState, ParkedStatus, requestTxHash, TokenType } from "../helpers/bridge.js";

const { ethers, networkHelpers } = await network.create();

const coder = ethers.AbiCoder.defaultAbiCoder();
const FROM = ethers.getAddress("0x000000000000000000000000000000000000beef");
const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/7.json";

function transferData(to: string, extraData = "0x"): string {
  return coder.encode(["address", "bytes"], [to, extraData]);
}

/** Klaytn's encoding undone: encodedData = abi.encode(string(R)), R = the raw return data of tokenURI. */
function decodeURI(encodedData: string): string {
  const raw = coder.decode(["bytes"], encodedData)[0] as string;
  if (raw === "0x") return "";
  return coder.decode(["string"], raw)[0] as string;
}

/** The RequestValueTransferEncoded event of `tx`. */
async function encodedRequest(
  bridge: Bridge,
  tx: Promise<ContractTransactionResponse>,
): Promise<RequestValueTransferEncodedEvent.OutputObject> {
  const receipt = await (await tx).wait();
  const events = receipt!.logs
    .map((log) => bridge.interface.parseLog(log))
    .filter((e) => e?.name === "RequestValueTransferEncoded");
  expect(events).to.have.length(1);
  return events[0]!.args.toObject() as RequestValueTransferEncodedEvent.OutputObject;
}

function handleERC721(
  bridge: Bridge,
  operator: HardhatEthersSigner,
  h: { to: string; token: string; tokenId: bigint; nonce: number; uri?: string; extraData?: string },
) {
  return bridge
    .connect(operator)
    .handleERC721Transfer(
      requestTxHash(h.nonce, "kip17"),
      FROM,
      h.to,
      h.token,
      h.tokenId,
      h.nonce,
      500 + h.nonce,
      h.uri ?? URI,
      h.extraData ?? "0x",
    );
}

type NftHandle = { to: string; token: string; tokenId: bigint; nonce: number; uri?: string; extraData?: string };

/** Handle `h` as a `Transfer` struct (what the recovery ledger records). */
function asTransfer(h: NftHandle): SignedTransfer {
  return {
    requestTxHash: requestTxHash(h.nonce, "kip17"),
    tokenType: TokenType.ERC721,
    from: FROM,
    to: h.to,
    tokenAddress: h.token,
    valueOrTokenId: h.tokenId,
    requestNonce: BigInt(h.nonce),
    requestBlockNumber: BigInt(500 + h.nonce),
    tokenURI: h.uri ?? URI,
    extraData: h.extraData ?? "0x",
  };
}

/** The `HandleValueTransferFailed` arguments of handle `h`, failed with `reason`. */
function failedArgs(h: NftHandle, reason: string) {
  return [requestTxHash(h.nonce, "kip17"), TokenType.ERC721, FROM, h.to, h.token, h.tokenId, h.nonce, reason] as const;
}

describe("Bridge KIP17 transfers", function () {
  /** Parent side: lock mode, a plain KIP17 whose token 7 (with URI) `user` holds. */
  async function lockMode() {
    const [owner, user, recipient, feeReceiver, stranger] = await ethers.getSigners();
    const bridge = await deployBridge(ethers, false);
    const nft = await ethers.deployContract("KIP17Token", ["Parent NFT", "PNFT"]);
    await nft.mintWithTokenURI(user, 7n, URI);
    await bridge.registerToken(nft, ethers.Wallet.createRandom().address);
    return { bridge, nft, owner, user, recipient, feeReceiver, stranger };
  }

  /** Child side: mint/burn mode, a service-chain KIP17 linked to the bridge; `user` holds token 7. */
  async function mintBurnMode() {
    const [owner, user, recipient, feeReceiver, stranger] = await ethers.getSigners();
    const bridge = await deployBridge(ethers, true);
    const nft = await ethers.deployContract("ServiceChainKIP17", ["Child NFT", "CNFT", await bridge.getAddress()]);
    await nft.mintWithTokenURI(user, 7n, URI);
    await bridge.registerToken(nft, ethers.Wallet.createRandom().address);
    return { bridge, nft, owner, user, recipient, feeReceiver, stranger };
  }

  /** Lock mode with an OpenZeppelin ERC721 (standard onERC721Received only; tokenURI can be made to revert). */
  async function plainERC721() {
    const f = await lockMode();
    const erc721 = await ethers.deployContract("TestERC721", ["Plain", "P721"]);
    await erc721.mintWithTokenURI(f.user, 9n, URI);
    await f.bridge.registerToken(erc721, ethers.Wallet.createRandom().address);
    return { ...f, erc721 };
  }

  describe("requestERC721Transfer (approve first)", function () {
    it("locks the NFT and emits RequestValueTransferEncoded, version 2, with the URI encoded twice", async function () {
      const { bridge, nft, user, recipient, feeReceiver } = await networkHelpers.loadFixture(lockMode);
      await bridge.setFeeReceiver(feeReceiver); // NFTs pay no fee
      await nft.connect(user).approve(bridge, 7n);
      const tx = bridge.connect(user).requestERC721Transfer(nft, recipient, 7n, "0x5151");
      const expectedEncoded = coder.encode(["bytes"], [coder.encode(["string"], [URI])]);
      await expect(tx)
        .to.emit(bridge, "RequestValueTransferEncoded")
        .withArgs(TokenType.ERC721, user.address, recipient.address, nft.target, 7n, 0, 0, "0x5151", 2, expectedEncoded);
      await expect(tx).not.to.emit(bridge, "RequestValueTransfer");
      expect(await nft.ownerOf(7n)).to.equal(await bridge.getAddress());
      expect(await bridge.requestNonce()).to.equal(1n);
    });

    it("the encoded data decodes twice back to the token URI", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(lockMode);
      await nft.connect(user).approve(bridge, 7n);
      const args = await encodedRequest(bridge, bridge.connect(user).requestERC721Transfer(nft, recipient, 7n, "0x"));
      expect(args.encodingVer).to.equal(2n);
      expect(decodeURI(args.encodedData)).to.equal(URI);
    });

    it("a token whose tokenURI reverts gives an empty encoded string", async function () {
      const { bridge, erc721, user, recipient } = await networkHelpers.loadFixture(plainERC721);
      await erc721.setURIReverts(true);
      await erc721.connect(user).approve(bridge, 9n);
      const args = await encodedRequest(bridge, bridge.connect(user).requestERC721Transfer(erc721, recipient, 9n, "0x"));
      expect(args.encodedData).to.equal(coder.encode(["string"], [""]));
      expect(decodeURI(args.encodedData)).to.equal("");
    });

    it("refuses without approval, a zero recipient, an unregistered or locked token and a stopped bridge", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(lockMode);
      await expect(bridge.connect(user).requestERC721Transfer(nft, recipient, 7n, "0x")).to.be.revertedWithCustomError(
        nft,
        "ERC721InsufficientApproval",
      );
      await nft.connect(user).approve(bridge, 7n);
      await expect(
        bridge.connect(user).requestERC721Transfer(nft, ethers.ZeroAddress, 7n, "0x"),
      ).to.be.revertedWithCustomError(bridge, "ZeroRecipient");
      const other = await ethers.deployContract("KIP17Token", ["Other", "O"]);
      await other.mintWithTokenURI(user, 1n, URI);
      await other.connect(user).approve(bridge, 1n);
      await expect(bridge.connect(user).requestERC721Transfer(other, recipient, 1n, "0x"))
        .to.be.revertedWithCustomError(bridge, "TokenNotRegistered")
        .withArgs(other.target);
      await bridge.lockToken(nft);
      await expect(bridge.connect(user).requestERC721Transfer(nft, recipient, 7n, "0x"))
        .to.be.revertedWithCustomError(bridge, "TokenIsLocked")
        .withArgs(nft.target);
      await bridge.unlockToken(nft);
      await bridge.start(false);
      await expect(bridge.connect(user).requestERC721Transfer(nft, recipient, 7n, "0x")).to.be.revertedWithCustomError(
        bridge,
        "BridgeNotRunning",
      );
      expect(await nft.ownerOf(7n)).to.equal(user.address);
    });

    it("refuses another holder's NFT even when the bridge may move it", async function () {
      const { bridge, nft, user, recipient, stranger } = await networkHelpers.loadFixture(lockMode);
      await nft.connect(user).setApprovalForAll(bridge, true);
      await expect(bridge.connect(stranger).requestERC721Transfer(nft, recipient, 7n, "0x")).to.be.revertedWithCustomError(
        nft,
        "ERC721IncorrectOwner",
      );
    });
  });

  describe("reentrancy through the token", function () {
    it("a KLAY request made from an NFT hook during requestERC721Transfer is refused: no two requests share a nonce", async function () {
      // As for KIP7: every request entry is locked, and the request nonce is read when the request is emitted.
      const { bridge, user, recipient } = await networkHelpers.loadFixture(lockMode);
      const nft = await ethers.deployContract("HookedERC721", { value: 1_000n });
      await nft.mint(user, 1n);
      await bridge.registerToken(nft, ethers.Wallet.createRandom().address);
      await nft.connect(user).approve(bridge, 1n);
      await nft.arm(bridge, bridge.interface.encodeFunctionData("requestKLAYTransfer", [recipient.address, 1n, "0x"]), 1n);
      await expect(bridge.connect(user).requestERC721Transfer(nft, recipient, 1n, "0x"))
        .to.be.revertedWithCustomError(bridge, "ReentrancyGuardReentrantCall");
      expect(await bridge.requestNonce()).to.equal(0n);
    });
  });

  describe("mint/burn mode requests", function () {
    it("a KIP17 safeTransferFrom to the bridge burns the NFT", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(mintBurnMode);
      const args = await encodedRequest(
        bridge,
        nft.connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 7n, transferData(recipient.address)),
      );
      expect(decodeURI(args.encodedData)).to.equal(URI);
      await expect(nft.ownerOf(7n)).to.be.revertedWithCustomError(nft, "ERC721NonexistentToken").withArgs(7n);
    });

    it("approve + requestERC721Transfer burns the NFT and still carries its URI", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(mintBurnMode);
      await nft.connect(user).approve(bridge, 7n);
      const args = await encodedRequest(bridge, bridge.connect(user).requestERC721Transfer(nft, recipient, 7n, "0x"));
      expect(decodeURI(args.encodedData)).to.equal(URI);
      await expect(nft.ownerOf(7n)).to.be.revertedWithCustomError(nft, "ERC721NonexistentToken").withArgs(7n);
    });
  });

  describe("one-step requests", function () {
    it("ServiceChainKIP17.requestValueTransfer reaches Klaytn's onERC721Received(address,uint256,address,bytes) and burns", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(mintBurnMode);
      const tx = nft.connect(user).requestValueTransfer(7n, recipient, "0x42");
      const args = await encodedRequest(bridge, tx);
      expect(args.tokenType).to.equal(BigInt(TokenType.ERC721));
      expect(args.from).to.equal(user.address);
      expect(args.to).to.equal(recipient.address);
      expect(args.tokenAddress).to.equal(nft.target);
      expect(args.valueOrTokenId).to.equal(7n);
      expect(args.requestNonce).to.equal(0n);
      expect(args.fee).to.equal(0n);
      expect(args.extraData).to.equal("0x42");
      expect(decodeURI(args.encodedData)).to.equal(URI);
      await expect(nft.ownerOf(7n)).to.be.revertedWithCustomError(nft, "ERC721NonexistentToken").withArgs(7n);
    });

    it("a KIP17 safeTransferFrom with data abi.encode(to, extraData) is a request (onKIP17Received)", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(lockMode);
      const tx = nft
        .connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 7n, transferData(recipient.address, "0x01"));
      const args = await encodedRequest(bridge, tx);
      expect([args.from, args.to, args.valueOrTokenId, args.extraData]).to.deep.equal([
        user.address,
        recipient.address,
        7n,
        "0x01",
      ]);
      expect(decodeURI(args.encodedData)).to.equal(URI);
      expect(await nft.ownerOf(7n)).to.equal(await bridge.getAddress());
    });

    it("the bridge answers the KIP17 hook itself, with onKIP17Received's magic value", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(lockMode);
      const data = transferData(recipient.address);
      // The NFT must be held by the bridge when the hook runs: move it in, then call the hook as the token would.
      await nft.connect(user).transferFrom(user, bridge, 7n);
      await networkHelpers.impersonateAccount(nft.target as string);
      await networkHelpers.setBalance(nft.target as string, ethers.parseEther("1"));
      const asToken = await ethers.getSigner(nft.target as string);
      const hook = bridge.connect(asToken);
      expect(await hook.onKIP17Received.staticCall(user, user, 7n, data)).to.equal("0x6745782b");
      expect(
        await hook["onERC721Received(address,address,uint256,bytes)"].staticCall(user, user, 7n, data),
      ).to.equal("0x150b7a02");
    });

    it("a standard ERC721 safeTransferFrom with data is a request (standard onERC721Received)", async function () {
      const { bridge, erc721, user, recipient } = await networkHelpers.loadFixture(plainERC721);
      const tx = erc721
        .connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 9n, transferData(recipient.address, "0x02"));
      const args = await encodedRequest(bridge, tx);
      expect([args.from, args.to, args.tokenAddress, args.valueOrTokenId, args.extraData]).to.deep.equal([
        user.address,
        recipient.address,
        erc721.target,
        9n,
        "0x02",
      ]);
      expect(decodeURI(args.encodedData)).to.equal(URI);
    });

    it("malformed data is refused (InvalidTransferData), also without data", async function () {
      const { bridge, nft, erc721, user } = await networkHelpers.loadFixture(plainERC721);
      await expect(
        nft.connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 7n, "0xdeadbeef"),
      ).to.be.revertedWithCustomError(bridge, "InvalidTransferData");
      await expect(
        nft.connect(user)["safeTransferFrom(address,address,uint256)"](user, bridge, 7n),
      ).to.be.revertedWithCustomError(bridge, "InvalidTransferData");
      await expect(
        erc721.connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 9n, "0x00"),
      ).to.be.revertedWithCustomError(bridge, "InvalidTransferData");
      expect(await nft.ownerOf(7n)).to.equal(user.address);
    });

    it("a safeTransferFrom of an unregistered or locked NFT, or to the zero recipient, is refused", async function () {
      const { bridge, nft, user, recipient } = await networkHelpers.loadFixture(lockMode);
      const other = await ethers.deployContract("KIP17Token", ["Other", "O"]);
      await other.mintWithTokenURI(user, 1n, URI);
      await expect(
        other.connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 1n, transferData(recipient.address)),
      )
        .to.be.revertedWithCustomError(bridge, "TokenNotRegistered")
        .withArgs(other.target);
      await expect(
        nft.connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 7n, transferData(ethers.ZeroAddress)),
      ).to.be.revertedWithCustomError(bridge, "ZeroRecipient");
      await bridge.lockToken(nft);
      await expect(
        nft.connect(user)["safeTransferFrom(address,address,uint256,bytes)"](user, bridge, 7n, transferData(recipient.address)),
      )
        .to.be.revertedWithCustomError(bridge, "TokenIsLocked")
        .withArgs(nft.target);
    });

    it("Klaytn's onERC721Received from anything but a registered token, or for an NFT the bridge lacks, is refused", async function () {
      const { bridge, nft, user, recipient, stranger } = await networkHelpers.loadFixture(lockMode);
      await expect(bridge.connect(stranger)["onERC721Received(address,uint256,address,bytes)"](user, 7n, recipient, "0x"))
        .to.be.revertedWithCustomError(bridge, "TokenNotRegistered")
        .withArgs(stranger.address);
      await networkHelpers.impersonateAccount(nft.target as string);
      await networkHelpers.setBalance(nft.target as string, ethers.parseEther("1"));
      const asToken = await ethers.getSigner(nft.target as string);
      await expect(bridge.connect(asToken)["onERC721Received(address,uint256,address,bytes)"](user, 7n, recipient, "0x"))
        .to.be.revertedWithCustomError(bridge, "TokenNotReceived")
        .withArgs(nft.target, 7n);
    });
  });

  describe("handleERC721Transfer", function () {
    it("lock mode: releases the locked NFT", async function () {
      const { bridge, nft, owner, user, recipient } = await networkHelpers.loadFixture(lockMode);
      await nft.connect(user).transferFrom(user, bridge, 7n);
      const h = { to: recipient.address, token: nft.target as string, tokenId: 7n, nonce: 0, extraData: "0x33" };
      await expect(handleERC721(bridge, owner, h))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(requestTxHash(0, "kip17"), TokenType.ERC721, FROM, recipient.address, nft.target, 7n, 0, 1, "0x33");
      expect(await nft.ownerOf(7n)).to.equal(recipient.address);
      expect(await bridge.handledRequestTx(requestTxHash(0, "kip17"))).to.equal(true);
    });

    it("lock mode: an NFT the bridge does not hold is not released: the payout fails and is parked", async function () {
      const { bridge, nft, owner, user, recipient } = await networkHelpers.loadFixture(lockMode);
      const h = { to: recipient.address, token: nft.target as string, tokenId: 7n, nonce: 0 };
      const reason = nft.interface.encodeErrorResult("ERC721InsufficientApproval", [await bridge.getAddress(), 7n]);
      await expect(handleERC721(bridge, owner, h))
        .to.emit(bridge, "HandleValueTransferFailed")
        .withArgs(...failedArgs(h, reason))
        .and.not.to.emit(bridge, "HandleValueTransfer");
      expect(await nft.ownerOf(7n)).to.equal(user.address);
      expect(await bridge.lowerHandleNonce()).to.equal(1n);
      expect(await parkedState(ethers, bridge, asTransfer(h))).to.deep.equal({ status: ParkedStatus.Failed, matches: true });
    });

    it("mint/burn mode: mints the NFT with the URI given", async function () {
      const { bridge, nft, owner, recipient } = await networkHelpers.loadFixture(mintBurnMode);
      const h = { to: recipient.address, token: nft.target as string, tokenId: 42n, nonce: 0, uri: "https://x.test/42" };
      await expect(handleERC721(bridge, owner, h))
        .to.emit(bridge, "HandleValueTransfer")
        .withArgs(requestTxHash(0, "kip17"), TokenType.ERC721, FROM, recipient.address, nft.target, 42n, 0, 1, "0x");
      expect(await nft.ownerOf(42n)).to.equal(recipient.address);
      expect(await nft.tokenURI(42n)).to.equal("https://x.test/42");
    });

    it("mint/burn mode: an NFT that exists already is not minted again: the payout fails and is parked", async function () {
      const { bridge, nft, owner, user, recipient } = await networkHelpers.loadFixture(mintBurnMode);
      const h = { to: recipient.address, token: nft.target as string, tokenId: 7n, nonce: 0 };
      const reason = nft.interface.encodeErrorResult("ERC721InvalidSender", [ethers.ZeroAddress]);
      await expect(handleERC721(bridge, owner, h)).to.emit(bridge, "HandleValueTransferFailed").withArgs(...failedArgs(h, reason));
      expect(await nft.ownerOf(7n)).to.equal(user.address);
      expect(await parkedState(ethers, bridge, asTransfer(h))).to.deep.equal({ status: ParkedStatus.Failed, matches: true });
    });

    it("mint/burn mode: a mintWithTokenURI that returns false fails the payout, and it is parked", async function () {
      const { bridge, owner, recipient } = await networkHelpers.loadFixture(mintBurnMode);
      const minter = await ethers.deployContract("FalseNFTMinter");
      await bridge.registerToken(minter, ethers.Wallet.createRandom().address);
      const h = { to: recipient.address, token: minter.target as string, tokenId: 1n, nonce: 0 };
      await expect(handleERC721(bridge, owner, h))
        .to.emit(bridge, "HandleValueTransferFailed")
        .withArgs(...failedArgs(h, ethers.ZeroHash))
        .and.not.to.emit(bridge, "HandleValueTransfer");
      expect(await bridge.isHandled(0)).to.equal(true);
      expect(await parkedState(ethers, bridge, asTransfer(h))).to.deep.equal({ status: ParkedStatus.Failed, matches: true });
    });

    it("refuses an unregistered token (TokenNotRegistered)", async function () {
      const { bridge, owner, recipient } = await networkHelpers.loadFixture(mintBurnMode);
      const other = await ethers.deployContract("ServiceChainKIP17", ["Other", "O", await bridge.getAddress()]);
      await expect(
        handleERC721(bridge, owner, { to: recipient.address, token: other.target as string, tokenId: 1n, nonce: 0 }),
      )
        .to.be.revertedWithCustomError(bridge, "TokenNotRegistered")
        .withArgs(other.target);
    });

    it("a round trip: burnt on the child, released on the parent, minted back with the same URI", async function () {
      const child = await networkHelpers.loadFixture(mintBurnMode);
      const args = await encodedRequest(
        child.bridge,
        child.nft.connect(child.user).requestValueTransfer(7n, child.recipient, "0x"),
      );
      const uri = decodeURI(args.encodedData);
      // Handled back on the same (mint/burn) bridge: the NFT comes back with its URI.
      await handleERC721(child.bridge, child.owner, {
        to: args.to,
        token: args.tokenAddress,
        tokenId: args.valueOrTokenId,
        nonce: 0,
        uri,
      });
      expect(await child.nft.ownerOf(7n)).to.equal(child.recipient.address);
      expect(await child.nft.tokenURI(7n)).to.equal(URI);
    });
  });
});
