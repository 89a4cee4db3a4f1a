// Audit finding 2 (low): `balanceOf` and `transferFrom` share their selectors between ERC20 and ERC721, and the token
// registry did not know a token's kind, so a registered KIP17 could be requested as a KIP7 of value 1 whose payout
// and refund both fail: the NFT was stuck. The registry now records each token's kind at registration (ERC165 /
// KIP13 `supportsInterface(0x80ac58cd)`: an NFT; anything else, including no answer: fungible) and every request,
// handle and refund refuses the other kind (`TokenKindMismatch`).
//
// Vulnerable variant each test fails on: a registry without the token's kind (the code before the fix).
import { expect } from "chai";
import { network } from "hardhat";

import type { SignedTransfer } from "../../src/signatures.js";
import { bothModes, TokenType } from "../helpers/bridge.js";
import { handleBy, PATHS, recoveryDestination, refundSignatures, transferOf } from "../helpers/recovery.js";

const { ethers, networkHelpers } = await network.create();

const coder = ethers.AbiCoder.defaultAbiCoder();

describe("Security: a token is requested, handled and refunded only as its kind (audit finding 2)", function () {
  /** A lock-mode and a mint/burn bridge set up by `recoveryDestination`; `stranger` holds KIP7 and NFT 10. */
  async function deploy(modeMintBurn: boolean) {
    const f = await recoveryDestination(ethers, modeMintBurn);
    if (modeMintBurn) await f.kip7.getFunction("mint")(f.stranger, 10_000n);
    else await f.kip7.getFunction("transfer")(f.stranger, 10_000n);
    await f.kip17.getFunction("mintWithTokenURI")(f.stranger, 10n, "ipfs://nft/10");
    await f.kip7.connect(f.stranger).getFunction("approve")(f.bridge, 10_000n);
    await f.kip17.connect(f.stranger).getFunction("setApprovalForAll")(f.bridge, true);
    return f;
  }
  const { lockMode, MODES } = bothModes(deploy);
  type Fixture = Awaited<ReturnType<typeof lockMode>>;

  /** A signer at the token's own address, so that a hook can be called as the token calls it. */
  async function asToken(token: { getAddress(): Promise<string> }) {
    const address = await token.getAddress();
    await networkHelpers.impersonateAccount(address);
    await networkHelpers.setBalance(address, 10n ** 18n);
    return ethers.getSigner(address);
  }

  describe("registration", function () {
    it("records the kind: a KIP17 answering ERC165 for 0x80ac58cd is an NFT, anything else fungible", async function () {
      const f = await networkHelpers.loadFixture(lockMode);
      expect(await f.bridge.tokenKind(f.kip7)).to.equal(TokenType.ERC20);
      expect(await f.bridge.tokenKind(f.kip17)).to.equal(TokenType.ERC721);
      // not registered
      expect(await f.bridge.tokenKind(ethers.Wallet.createRandom().address)).to.equal(TokenType.KLAY);
      // no ERC165 at all (an account without code, an ERC20 without supportsInterface, a contract that reverts on
      // it): the registration goes through, as a fungible token
      const noCode = ethers.Wallet.createRandom().address;
      const plain = await ethers.deployContract("TestERC20", ["Plain", "PL"]);
      const burner = await ethers.deployContract("GasBurningRecipient");
      for (const token of [noCode, plain.target as string, burner.target as string]) {
        await expect(f.bridge.registerToken(token, ethers.Wallet.createRandom().address)).to.emit(f.bridge, "TokenRegistered");
        expect(await f.bridge.tokenKind(token)).to.equal(TokenType.ERC20);
      }
    });
  });

  for (const [mode, fixture] of MODES) {
    describe(`requests (${mode} mode)`, function () {
      it("requestERC20Transfer of a registered KIP17 is refused: the NFT is not taken as a KIP7 of value 1", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await expect(f.bridge.connect(f.stranger).requestERC20Transfer(f.kip17, f.user, 10n, 0n, "0x"))
          .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
          .withArgs(f.kip17.target, TokenType.ERC721, TokenType.ERC20);
        expect(await f.kip17.getFunction("ownerOf")(10n)).to.equal(f.stranger.address);
        expect(await f.bridge.requestNonce()).to.equal(0n);
      });

      it("requestERC721Transfer of a registered KIP7 is refused", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await expect(f.bridge.connect(f.stranger).requestERC721Transfer(f.kip7, f.user, 10n, "0x"))
          .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
          .withArgs(f.kip7.target, TokenType.ERC20, TokenType.ERC721);
      });

      it("the fungible hooks refuse an NFT, the NFT hooks refuse a fungible token", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const data = coder.encode(["address", "bytes"], [f.user.address, "0x"]);
        const nft = f.bridge.connect(await asToken(f.kip17));
        await expect(nft.onKIP7Received(f.stranger, f.stranger, 10n, data))
          .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
          .withArgs(f.kip17.target, TokenType.ERC721, TokenType.ERC20);
        await expect(nft.onERC20Received(f.stranger, f.user, 10n, 0n, "0x"))
          .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
          .withArgs(f.kip17.target, TokenType.ERC721, TokenType.ERC20);
        const fungible = f.bridge.connect(await asToken(f.kip7));
        for (const call of [
          fungible.onKIP17Received(f.stranger, f.stranger, 10n, data),
          fungible["onERC721Received(address,address,uint256,bytes)"](f.stranger, f.stranger, 10n, data),
          fungible["onERC721Received(address,uint256,address,bytes)"](f.stranger, 10n, f.user, "0x"),
        ]) {
          await expect(call)
            .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
            .withArgs(f.kip7.target, TokenType.ERC20, TokenType.ERC721);
        }
        expect(await f.bridge.requestNonce()).to.equal(0n);
      });
    });

    describe(`handles and refunds (${mode} mode)`, function () {
      const kip7AsNft = (f: Fixture, nonce: bigint): SignedTransfer =>
        transferOf(nonce, f.user.address, { tokenType: TokenType.ERC721, tokenAddress: f.kip7.target as string, valueOrTokenId: 1n });
      const kip17AsKip7 = (f: Fixture, nonce: bigint): SignedTransfer =>
        transferOf(nonce, f.user.address, { tokenType: TokenType.ERC20, tokenAddress: f.kip17.target as string, valueOrTokenId: 1n });

      for (const path of PATHS) {
        it(`a handle naming a token of the other kind reverts, recording nothing (${path})`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          await expect(handleBy(f, path, kip17AsKip7(f, 0n)))
            .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
            .withArgs(f.kip17.target, TokenType.ERC721, TokenType.ERC20);
          await expect(handleBy(f, path, kip7AsNft(f, 0n)))
            .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
            .withArgs(f.kip7.target, TokenType.ERC20, TokenType.ERC721);
          expect(await f.bridge.isHandled(0n)).to.equal(false);
          expect((await f.recovery.parkedTransfer(0n))[0]).to.equal(0n);
        });
      }

      it("a refund naming a token of the other kind reverts, refunding nothing", async function () {
        const f = await networkHelpers.loadFixture(fixture);
        await f.bridge.connect(f.stranger).requestERC721Transfer(f.kip17, f.user, 10n, "0x");
        const refund = { ...kip17AsKip7(f, 0n), from: f.stranger.address, valueOrTokenId: 10n };
        const signatures = await refundSignatures(f.recoveryDomain, refund, [f.owner, f.op2]);
        await expect(f.recovery.refundTransfer(refund, signatures))
          .to.be.revertedWithCustomError(f.bridge, "TokenKindMismatch")
          .withArgs(f.kip17.target, TokenType.ERC721, TokenType.ERC20);
        expect(await f.recovery.isRefunded(0n)).to.equal(false);
        // as its kind, the same request is refunded
        const asNft = { ...refund, tokenType: TokenType.ERC721 };
        await expect(f.recovery.refundTransfer(asNft, await refundSignatures(f.recoveryDomain, asNft, [f.owner, f.op2])))
          .to.emit(f.recovery, "ValueTransferRefunded");
        expect(await f.kip17.getFunction("ownerOf")(10n)).to.equal(f.stranger.address);
      });
    });
  }
});
