import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();

const KIP17_MAGIC = "0x6745782b";
const WRONG_MAGIC = "0x9d188c22";
const TOKEN_ID = 7n;

async function deployKIP17() {
  const [owner, holder, operator, stranger] = await ethers.getSigners();
  const token = await ethers.deployContract("KIP17Token", ["Parent NFT", "PNFT"]);
  const kip17Receiver = await ethers.deployContract("KIP17TestReceiver", [KIP17_MAGIC, false]);
  const wrongValueReceiver = await ethers.deployContract("KIP17TestReceiver", [WRONG_MAGIC, false]);
  const rejectingReceiver = await ethers.deployContract("KIP17TestReceiver", [KIP17_MAGIC, true]);
  const erc721Receiver = await ethers.deployContract("ERC721OnlyReceiver");
  const contractWithoutHook = await ethers.deployContract("KIP7TestReceiver", [KIP17_MAGIC, false]);
  const silentReceiver = await ethers.deployContract("SilentReceiver");
  await token.mintWithTokenURI(holder, TOKEN_ID, "ipfs://token-7");
  return {
    owner,
    holder,
    operator,
    stranger,
    token,
    kip17Receiver,
    wrongValueReceiver,
    rejectingReceiver,
    erc721Receiver,
    contractWithoutHook,
    silentReceiver,
  };
}

describe("KIP17Token", function () {
  it("mints with a URI for minters only, without calling the recipient", async function () {
    const { owner, stranger, token, contractWithoutHook } = await networkHelpers.loadFixture(deployKIP17);
    expect(await token.name()).to.equal("Parent NFT");
    expect(await token.symbol()).to.equal("PNFT");
    expect(await token.tokenURI(TOKEN_ID)).to.equal("ipfs://token-7");
    expect(await token.isMinter(owner)).to.equal(true);
    await expect(token.mintWithTokenURI(contractWithoutHook, 8n, "uri-8"))
      .to.emit(token, "Transfer")
      .withArgs(ethers.ZeroAddress, await contractWithoutHook.getAddress(), 8n);
    expect(await token.mintWithTokenURI.staticCall(owner, 9n, "")).to.equal(true);
    await expect(token.connect(stranger).mintWithTokenURI(stranger, 10n, "x"))
      .to.be.revertedWithCustomError(token, "MinterRoleUnauthorizedAccount")
      .withArgs(stranger.address);
    await expect(token.mintWithTokenURI(owner, TOKEN_ID, "again")).to.be.revertedWithCustomError(
      token,
      "ERC721InvalidSender",
    );
  });

  describe("safeTransferFrom", function () {
    it("sends to an account without code", async function () {
      const { holder, stranger, token } = await networkHelpers.loadFixture(deployKIP17);
      await token.connect(holder)["safeTransferFrom(address,address,uint256)"](holder, stranger, TOKEN_ID);
      expect(await token.ownerOf(TOKEN_ID)).to.equal(stranger.address);
    });

    it("accepts a KIP17 receiver through onKIP17Received", async function () {
      const { holder, operator, token, kip17Receiver } = await networkHelpers.loadFixture(deployKIP17);
      await token.connect(holder).setApprovalForAll(operator, true);
      await expect(
        token
          .connect(operator)["safeTransferFrom(address,address,uint256,bytes)"](holder, kip17Receiver, TOKEN_ID, "0xcafe"),
      )
        .to.emit(kip17Receiver, "KIP17Received")
        .withArgs(await token.getAddress(), operator.address, holder.address, TOKEN_ID, "0xcafe");
      expect(await token.ownerOf(TOKEN_ID)).to.equal(await kip17Receiver.getAddress());
    });

    it("falls back to onERC721Received for an ERC-721-only receiver", async function () {
      const { holder, token, erc721Receiver } = await networkHelpers.loadFixture(deployKIP17);
      await expect(token.connect(holder)["safeTransferFrom(address,address,uint256)"](holder, erc721Receiver, TOKEN_ID))
        .to.emit(erc721Receiver, "ERC721Received")
        .withArgs(await token.getAddress(), holder.address, holder.address, TOKEN_ID, "0x");
      expect(await token.ownerOf(TOKEN_ID)).to.equal(await erc721Receiver.getAddress());
    });

    for (const bad of ["wrongValueReceiver", "contractWithoutHook", "silentReceiver"] as const) {
      it(`reverts with KIP17InvalidReceiver for ${bad}`, async function () {
        const fixture = await networkHelpers.loadFixture(deployKIP17);
        const receiver = fixture[bad];
        await expect(
          fixture.token
            .connect(fixture.holder)["safeTransferFrom(address,address,uint256)"](fixture.holder, receiver, TOKEN_ID),
        )
          .to.be.revertedWithCustomError(fixture.token, "KIP17InvalidReceiver")
          .withArgs(await receiver.getAddress());
        expect(await fixture.token.ownerOf(TOKEN_ID)).to.equal(fixture.holder.address);
      });
    }

    it("passes on the receiver's own error", async function () {
      const { holder, token, rejectingReceiver } = await networkHelpers.loadFixture(deployKIP17);
      await expect(
        token.connect(holder)["safeTransferFrom(address,address,uint256)"](holder, rejectingReceiver, TOKEN_ID),
      ).to.be.revertedWithCustomError(rejectingReceiver, "ReceiverRejected");
    });

    it("plain transferFrom does not call the recipient", async function () {
      const { holder, token, contractWithoutHook } = await networkHelpers.loadFixture(deployKIP17);
      await token.connect(holder).transferFrom(holder, contractWithoutHook, TOKEN_ID);
      expect(await token.ownerOf(TOKEN_ID)).to.equal(await contractWithoutHook.getAddress());
    });
  });

  describe("burn", function () {
    it("lets the owner or an approved account burn, and no one else", async function () {
      const { holder, operator, stranger, token } = await networkHelpers.loadFixture(deployKIP17);
      await expect(token.connect(stranger).burn(TOKEN_ID))
        .to.be.revertedWithCustomError(token, "ERC721InsufficientApproval")
        .withArgs(stranger.address, TOKEN_ID);
      await token.connect(holder).approve(operator, TOKEN_ID);
      await expect(token.connect(operator).burn(TOKEN_ID))
        .to.emit(token, "Transfer")
        .withArgs(holder.address, ethers.ZeroAddress, TOKEN_ID);
      await expect(token.tokenURI(TOKEN_ID)).to.be.revertedWithCustomError(token, "ERC721NonexistentToken");
      await token.mintWithTokenURI(holder, 11n, "uri-11");
      await expect(token.connect(holder).burn(11n)).to.emit(token, "Transfer");
    });
  });
});
