// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

contract ModelRegistryTest is Test {
    ModelRegistry internal registry;
    MockGroth16Verifier internal verifier; // 3 input words + 1 output word + prover = 5 public inputs

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    bytes32 internal constant COMMITMENT = keccak256("model file");

    function setUp() public {
        registry = new ModelRegistry(address(this));
        verifier = new MockGroth16Verifier(5);
    }

    /// @dev Registers the default model as the registry owner (this contract), which becomes the model owner.
    function _register() internal returns (uint256) {
        return registry.registerModel(address(verifier), COMMITMENT, 3, 1);
    }

    /// @dev Starts a two-step transfer of registry ownership to `newOwner` and accepts it.
    function _transferRegistryOwnership(address newOwner) internal {
        registry.transferOwnership(newOwner);
        vm.prank(newOwner);
        registry.acceptOwnership();
        assertEq(registry.owner(), newOwner);
    }

    // ---------------------------------------------------------------- constructor and ownership

    function test_Constructor_SetsOwner() public {
        assertEq(registry.owner(), address(this));
        assertEq(registry.pendingOwner(), address(0));
        ModelRegistry other = new ModelRegistry(alice);
        assertEq(other.owner(), alice);
    }

    function test_RevertWhen_Constructor_ZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new ModelRegistry(address(0));
    }

    function test_TransferOwnership_TwoStep() public {
        registry.transferOwnership(bob);
        assertEq(registry.owner(), address(this), "owner unchanged until accepted");
        assertEq(registry.pendingOwner(), bob);
        vm.prank(bob);
        registry.acceptOwnership();
        assertEq(registry.owner(), bob);
        assertEq(registry.pendingOwner(), address(0));
    }

    // ---------------------------------------------------------------- registerModel

    function test_RegisterModel_StoresModelAndEmits() public {
        vm.expectEmit(true, true, false, true, address(registry));
        emit IModelRegistry.ModelRegistered(1, address(verifier), COMMITMENT, 3, 1);
        uint256 id = _register();

        assertEq(id, 1);
        assertEq(registry.modelCount(), 1);
        IModelRegistry.Model memory m = registry.getModel(id);
        assertEq(m.verifier, address(verifier));
        assertEq(m.commitment, COMMITMENT);
        assertEq(m.inputWords, 3);
        assertEq(m.outputWords, 1);
        assertEq(m.owner, address(this), "registry owner becomes model owner");
        assertTrue(m.active);
    }

    function test_RegisterModel_IdsIncrementFromOne() public {
        assertEq(registry.modelCount(), 0);
        assertEq(_register(), 1);
        assertEq(registry.registerModel(address(verifier), COMMITMENT, 2, 2), 2);
        assertEq(registry.modelCount(), 2);
        assertEq(registry.getModel(2).owner, address(this));
    }

    function test_RevertWhen_RegisterModel_NotRegistryOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, bob));
        vm.prank(bob);
        registry.registerModel(address(verifier), COMMITMENT, 3, 1);
        assertEq(registry.modelCount(), 0);
    }

    /// @dev Access control is checked first: any non-owner gets OwnableUnauthorizedAccount, even with a valid layout.
    function testFuzz_RevertWhen_RegisterModel_NotRegistryOwner(address caller) public {
        vm.assume(caller != address(this));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller));
        vm.prank(caller);
        registry.registerModel(address(verifier), COMMITMENT, 3, 1);
        assertEq(registry.modelCount(), 0);
    }

    function test_RevertWhen_RegisterModel_PendingOwnerBeforeAccepting() public {
        registry.transferOwnership(bob);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, bob));
        vm.prank(bob);
        registry.registerModel(address(verifier), COMMITMENT, 3, 1);
    }

    function test_RegisterModel_FollowsOwnershipTransfer() public {
        _transferRegistryOwnership(bob);

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        registry.registerModel(address(verifier), COMMITMENT, 3, 1);

        vm.prank(bob);
        uint256 id = registry.registerModel(address(verifier), COMMITMENT, 3, 1);
        assertEq(registry.getModel(id).owner, bob);
    }

    function testFuzz_RegisterModel_AcceptsMatchingLayout(uint32 inputWords, uint32 outputWords) public {
        inputWords = uint32(bound(inputWords, 1, 1000));
        outputWords = uint32(bound(outputWords, 1, 1000));
        MockGroth16Verifier v = new MockGroth16Verifier(uint256(inputWords) + outputWords + 1);
        uint256 id = registry.registerModel(address(v), COMMITMENT, inputWords, outputWords);
        IModelRegistry.Model memory m = registry.getModel(id);
        assertEq(m.inputWords, inputWords);
        assertEq(m.outputWords, outputWords);
    }

    function test_RevertWhen_RegisterModel_VerifierHasNoCode() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidVerifier.selector, alice));
        registry.registerModel(alice, COMMITMENT, 3, 1);
    }

    function test_RevertWhen_RegisterModel_VerifierIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidVerifier.selector, address(0)));
        registry.registerModel(address(0), COMMITMENT, 3, 1);
    }

    function test_RevertWhen_RegisterModel_ZeroInputWords() public {
        MockGroth16Verifier v = new MockGroth16Verifier(2);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidLayout.selector, 0, 1, 2));
        registry.registerModel(address(v), COMMITMENT, 0, 1);
    }

    function test_RevertWhen_RegisterModel_ZeroOutputWords() public {
        MockGroth16Verifier v = new MockGroth16Verifier(2);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidLayout.selector, 1, 0, 2));
        registry.registerModel(address(v), COMMITMENT, 1, 0);
    }

    function testFuzz_RevertWhen_RegisterModel_LayoutMismatch(uint32 inputWords, uint32 outputWords, uint256 count)
        public
    {
        inputWords = uint32(bound(inputWords, 1, type(uint32).max));
        outputWords = uint32(bound(outputWords, 1, type(uint32).max));
        vm.assume(count != uint256(inputWords) + outputWords + 1);
        MockGroth16Verifier v = new MockGroth16Verifier(count);
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidLayout.selector, inputWords, outputWords, count)
        );
        registry.registerModel(address(v), COMMITMENT, inputWords, outputWords);
    }

    // ---------------------------------------------------------------- deprecateModel

    function test_DeprecateModel_SetsInactiveAndEmits() public {
        uint256 id = _register();
        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelDeprecated(id);
        registry.deprecateModel(id);
        assertFalse(registry.getModel(id).active);
    }

    /// @dev The model owner keeps the right to deprecate its model after it stops being the registry owner.
    function test_DeprecateModel_ByModelOwnerAfterOwnershipTransfer() public {
        uint256 id = _register();
        _transferRegistryOwnership(bob);
        assertEq(registry.getModel(id).owner, address(this));

        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelDeprecated(id);
        registry.deprecateModel(id);
        assertFalse(registry.getModel(id).active);
    }

    /// @dev The registry owner can deprecate a model it does not own (e.g. one registered by a previous owner).
    function test_DeprecateModel_ByRegistryOwnerNotModelOwner() public {
        uint256 id = _register();
        _transferRegistryOwnership(bob);
        assertTrue(registry.getModel(id).owner != bob);

        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelDeprecated(id);
        vm.prank(bob);
        registry.deprecateModel(id);
        assertFalse(registry.getModel(id).active);
    }

    function test_RevertWhen_DeprecateModel_NotOwner() public {
        uint256 id = _register();
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNotModelOwner.selector, id, bob));
        vm.prank(bob);
        registry.deprecateModel(id);
        assertTrue(registry.getModel(id).active);
    }

    function testFuzz_RevertWhen_DeprecateModel_Stranger(address stranger) public {
        vm.assume(stranger != address(this));
        uint256 id = _register();
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNotModelOwner.selector, id, stranger));
        vm.prank(stranger);
        registry.deprecateModel(id);
        assertTrue(registry.getModel(id).active);
    }

    /// @dev A pending owner has no rights until it accepts.
    function test_RevertWhen_DeprecateModel_PendingOwnerBeforeAccepting() public {
        uint256 id = _register();
        registry.transferOwnership(bob);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNotModelOwner.selector, id, bob));
        vm.prank(bob);
        registry.deprecateModel(id);
    }

    function test_RevertWhen_DeprecateModel_AlreadyDeprecated() public {
        uint256 id = _register();
        registry.deprecateModel(id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryAlreadyDeprecated.selector, id));
        registry.deprecateModel(id);
    }

    function test_RevertWhen_DeprecateModel_AlreadyDeprecatedByOtherParty() public {
        uint256 id = _register();
        _transferRegistryOwnership(bob);
        vm.prank(bob);
        registry.deprecateModel(id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryAlreadyDeprecated.selector, id));
        registry.deprecateModel(id);
    }

    function test_RevertWhen_DeprecateModel_UnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 7));
        registry.deprecateModel(7);
    }

    // ---------------------------------------------------------------- getModel

    function test_RevertWhen_GetModel_IdZero() public {
        _register();
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 0));
        registry.getModel(0);
    }

    function testFuzz_RevertWhen_GetModel_UnknownId(uint256 id) public {
        _register();
        vm.assume(id != 1);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, id));
        registry.getModel(id);
    }
}
