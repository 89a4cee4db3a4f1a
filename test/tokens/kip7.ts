import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();

const KIP7_MAGIC = "0x9d188c22";
const WRONG_MAGIC = "0x150b7a02";
const INITIAL_SUPPLY = 1_000_000n * 10n ** 6n;

async function deployKIP7() {
  const [owner, holder, spender, stranger] = await ethers.getSigners();
  const token = await ethers.deployContract("KIP7Token", ["Parent Token", "PT", 6, INITIAL_SUPPLY]);
  const acceptingReceiver = await ethers.deployContract("KIP7TestReceiver", [KIP7_MAGIC, false]);
  const wrongValueReceiver = await ethers.deployContract("KIP7TestReceiver", [WRONG_MAGIC, false]);
  const rejectingReceiver = await ethers.deployContract("KIP7TestReceiver", [KIP7_MAGIC, true]);
  const contractWithoutHook = await ethers.deployContract("ERC721OnlyReceiver");
  const silentReceiver = await ethers.deployContract("SilentReceiver");
  await token.transfer(holder, 1_000n);
  return {
    owner,
    holder,
    spender,
    stranger,
    token,
    acceptingReceiver,
    wrongValueReceiver,
    rejectingReceiver,
    contractWithoutHook,
    silentReceiver,
  };
}

describe("KIP7Token", function () {
  it("mints the initial supply to the deployer with the given metadata", async function () {
    const { owner, token } = await networkHelpers.loadFixture(deployKIP7);
    expect(await token.name()).to.equal("Parent Token");
    expect(await token.symbol()).to.equal("PT");
    expect(await token.decimals()).to.equal(6);
    expect(await token.totalSupply()).to.equal(INITIAL_SUPPLY);
    expect(await token.balanceOf(owner)).to.equal(INITIAL_SUPPLY - 1_000n);
    expect(await token.owner()).to.equal(owner.address);
    expect(await token.isMinter(owner)).to.equal(true);
  });

  describe("safeTransfer", function () {
    it("sends to an account without code, with and without data", async function () {
      const { holder, stranger, token } = await networkHelpers.loadFixture(deployKIP7);
      await expect(token.connect(holder)["safeTransfer(address,uint256)"](stranger, 100n)).to.changeTokenBalances(
        ethers,
        token,
        [holder, stranger],
        [-100n, 100n],
      );
      await expect(token.connect(holder)["safeTransfer(address,uint256,bytes)"](stranger, 50n, "0x1234"))
        .to.emit(token, "Transfer")
        .withArgs(holder.address, stranger.address, 50n);
    });

    it("calls onKIP7Received on a contract and accepts the magic value", async function () {
      const { holder, token, acceptingReceiver } = await networkHelpers.loadFixture(deployKIP7);
      const tx = token.connect(holder)["safeTransfer(address,uint256,bytes)"](acceptingReceiver, 300n, "0xbeef");
      await expect(tx)
        .to.emit(acceptingReceiver, "KIP7Received")
        .withArgs(await token.getAddress(), holder.address, holder.address, 300n, "0xbeef");
      await expect(tx).to.changeTokenBalances(ethers, token, [holder, acceptingReceiver], [-300n, 300n]);
    });

    for (const [when, receiverName] of [
      ["when the hook returns another value", "wrongValueReceiver"],
      ["for a contract without the hook", "contractWithoutHook"],
      ["for a contract whose fallback returns nothing", "silentReceiver"],
    ] as const) {
      it(`reverts with KIP7InvalidReceiver ${when}`, async function () {
        const fixture = await networkHelpers.loadFixture(deployKIP7);
        const { holder, token } = fixture;
        const receiver = fixture[receiverName];
        await expect(token.connect(holder)["safeTransfer(address,uint256)"](receiver, 1n))
          .to.be.revertedWithCustomError(token, "KIP7InvalidReceiver")
          .withArgs(await receiver.getAddress());
        expect(await token.balanceOf(receiver)).to.equal(0n);
      });
    }

    it("passes on the receiver's own error", async function () {
      const { holder, token, rejectingReceiver } = await networkHelpers.loadFixture(deployKIP7);
      await expect(
        token.connect(holder)["safeTransfer(address,uint256)"](rejectingReceiver, 1n),
      ).to.be.revertedWithCustomError(rejectingReceiver, "ReceiverRejected");
    });

    it("plain transfer does not call the recipient", async function () {
      const { holder, token, contractWithoutHook } = await networkHelpers.loadFixture(deployKIP7);
      await expect(token.connect(holder).transfer(contractWithoutHook, 1n)).to.changeTokenBalance(
        ethers,
        token,
        contractWithoutHook,
        1n,
      );
    });
  });

  describe("safeTransferFrom", function () {
    it("spends the allowance and reports the spender as operator", async function () {
      const { holder, spender, token, acceptingReceiver } = await networkHelpers.loadFixture(deployKIP7);
      await token.connect(holder).approve(spender, 400n);
      await expect(
        token
          .connect(spender)["safeTransferFrom(address,address,uint256,bytes)"](holder, acceptingReceiver, 400n, "0x01"),
      )
        .to.emit(acceptingReceiver, "KIP7Received")
        .withArgs(await token.getAddress(), spender.address, holder.address, 400n, "0x01");
      expect(await token.allowance(holder, spender)).to.equal(0n);
      expect(await token.balanceOf(acceptingReceiver)).to.equal(400n);
    });

    it("sends to an account without code", async function () {
      const { holder, spender, stranger, token } = await networkHelpers.loadFixture(deployKIP7);
      await token.connect(holder).approve(spender, 10n);
      await expect(
        token.connect(spender)["safeTransferFrom(address,address,uint256)"](holder, stranger, 10n),
      ).to.changeTokenBalances(ethers, token, [holder, stranger], [-10n, 10n]);
    });

    it("reverts without allowance, and for a refusing receiver", async function () {
      const { holder, spender, token, wrongValueReceiver } = await networkHelpers.loadFixture(deployKIP7);
      await expect(
        token.connect(spender)["safeTransferFrom(address,address,uint256)"](holder, spender, 1n),
      ).to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance");
      await token.connect(holder).approve(spender, 1n);
      await expect(
        token.connect(spender)["safeTransferFrom(address,address,uint256)"](holder, wrongValueReceiver, 1n),
      )
        .to.be.revertedWithCustomError(token, "KIP7InvalidReceiver")
        .withArgs(await wrongValueReceiver.getAddress());
    });
  });

  describe("minting and burning", function () {
    it("lets minters mint and refuses others with MinterRoleUnauthorizedAccount", async function () {
      const { owner, stranger, token } = await networkHelpers.loadFixture(deployKIP7);
      await expect(token.mint(stranger, 5n)).to.changeTokenBalance(ethers, token, stranger, 5n);
      await expect(token.connect(stranger).mint(stranger, 5n))
        .to.be.revertedWithCustomError(token, "MinterRoleUnauthorizedAccount")
        .withArgs(stranger.address);
      expect(await token.mint.staticCall(owner, 1n)).to.equal(true);
    });

    it("lets only the owner add and remove minters; a minter may renounce", async function () {
      const { owner, stranger, spender, token } = await networkHelpers.loadFixture(deployKIP7);
      await expect(token.connect(stranger).addMinter(stranger))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await expect(token.addMinter(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(token, "MinterRoleInvalidMinter")
        .withArgs(ethers.ZeroAddress);
      await expect(token.addMinter(stranger)).to.emit(token, "MinterAdded").withArgs(stranger.address);
      await token.connect(stranger).mint(stranger, 1n);
      await expect(token.connect(stranger).renounceMinter()).to.emit(token, "MinterRemoved").withArgs(stranger.address);
      expect(await token.isMinter(stranger)).to.equal(false);
      await token.addMinter(spender);
      await expect(token.connect(stranger).removeMinter(spender)).to.be.revertedWithCustomError(
        token,
        "OwnableUnauthorizedAccount",
      );
      await expect(token.removeMinter(spender)).to.emit(token, "MinterRemoved").withArgs(spender.address);
      await expect(token.connect(owner).renounceMinter()).to.emit(token, "MinterRemoved");
      await expect(token.mint(owner, 1n)).to.be.revertedWithCustomError(token, "MinterRoleUnauthorizedAccount");
    });

    it("burns the caller's tokens, and others' with allowance", async function () {
      const { holder, spender, token } = await networkHelpers.loadFixture(deployKIP7);
      await expect(token.connect(holder).burn(100n)).to.changeTokenBalance(ethers, token, holder, -100n);
      await expect(token.connect(spender).burnFrom(holder, 1n)).to.be.revertedWithCustomError(
        token,
        "ERC20InsufficientAllowance",
      );
      await token.connect(holder).approve(spender, 50n);
      await token.connect(spender).burnFrom(holder, 50n);
      expect(await token.balanceOf(holder)).to.equal(850n);
      expect(await token.totalSupply()).to.equal(INITIAL_SUPPLY - 150n);
    });
  });
});
