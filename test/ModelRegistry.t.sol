// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {
    IAccessControlDefaultAdminRules
} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice Every external function of ModelRegistry: registration checks (in their order), versioning,
///         deprecation rights, views, and the two-step admin transfer.
contract ModelRegistryTest is MarketTestBase {
    bytes32 internal constant COMMITMENT = keccak256("model file");
    uint256 internal constant WEIGHTS = 12345;

    /// @dev 3 input words + 1 output word (the payee packed into it) = 4 public inputs (public weights).
    MockGroth16Verifier internal verifier;
    /// @dev 3 input words + 1 output word + weights commitment = 5 public inputs (private weights).
    MockGroth16Verifier internal privateVerifier;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    function setUp() public {
        _deployCore();
        verifier = new MockGroth16Verifier(4);
        privateVerifier = new MockGroth16Verifier(5);
    }

    /// @dev Valid parameters of a public-weight inference model owned by `alice`.
    function _params() private view returns (IModelRegistry.ModelParams memory) {
        return IModelRegistry.ModelParams({
            verifier: address(verifier),
            kind: IModelRegistry.Kind.Inference,
            commitment: COMMITMENT,
            privateWeights: false,
            weightsCommitment: 0,
            inputWords: 3,
            outputWords: 1,
            workUnits: WORK_UNITS,
            previous: 0,
            owner: alice,
            metadataURI: "ipfs://digits"
        });
    }

    /// @dev Valid parameters of a private-weight inference model owned by `alice`.
    function _privateParams() private view returns (IModelRegistry.ModelParams memory p) {
        p = _params();
        p.verifier = address(privateVerifier);
        p.privateWeights = true;
        p.weightsCommitment = WEIGHTS;
    }

    function _registerAsAdmin(IModelRegistry.ModelParams memory p) private returns (uint256) {
        vm.prank(admin);
        return registry.registerModel(p);
    }

    function _expectRevertAsAdmin(IModelRegistry.ModelParams memory p, bytes memory err) private {
        uint256 countBefore = registry.modelCount();
        vm.expectRevert(err);
        vm.prank(admin);
        registry.registerModel(p);
        assertEq(registry.modelCount(), countBefore, "nothing registered");
    }

    function _invalidLayout(uint32 inputWords, uint32 outputWords, uint256 verifierInputs)
        private
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(
            IModelRegistry.ModelRegistryInvalidLayout.selector, inputWords, outputWords, verifierInputs
        );
    }

    // ---------------------------------------------------------------- constructor and constants

    function test_Constructor_SetsRolesAndDelay() public view {
        assertEq(registry.defaultAdmin(), admin);
        assertEq(registry.defaultAdminDelay(), ADMIN_DELAY);
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(registry.hasRole(registry.REGISTRAR_ROLE(), admin));
        assertFalse(registry.hasRole(registry.REGISTRAR_ROLE(), alice));
        assertEq(registry.REGISTRAR_ROLE(), keccak256("REGISTRAR_ROLE"));
        assertEq(registry.getRoleAdmin(registry.REGISTRAR_ROLE()), registry.DEFAULT_ADMIN_ROLE());
        assertEq(registry.MAX_WORK_UNITS(), 1e12);
        assertEq(registry.modelCount(), 0);
    }

    function test_RevertWhen_Constructor_ZeroAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, address(0)
            )
        );
        new ModelRegistry(address(0), ADMIN_DELAY);
    }

    // ---------------------------------------------------------------- registerModel: success

    function test_RegisterModel_StoresModelAndEmits() public {
        vm.expectEmit(true, true, true, true, address(registry));
        emit IModelRegistry.ModelRegistered(
            1, alice, address(verifier), IModelRegistry.Kind.Inference, COMMITMENT, 1, 0, "ipfs://digits"
        );
        uint256 id = _registerAsAdmin(_params());

        assertEq(id, 1);
        assertEq(registry.modelCount(), 1);
        IModelRegistry.Model memory m = registry.getModel(id);
        assertEq(m.verifier, address(verifier));
        assertEq(m.workUnits, WORK_UNITS);
        assertEq(m.inputWords, 3);
        assertEq(m.owner, alice);
        assertEq(m.outputWords, 1);
        assertEq(m.version, 1);
        assertEq(uint8(m.kind), uint8(IModelRegistry.Kind.Inference));
        assertTrue(m.active);
        assertFalse(m.privateWeights);
        assertEq(m.previous, 0);
        assertEq(m.commitment, COMMITMENT);
        assertEq(m.weightsCommitment, 0);
        assertEq(m.metadataURI, "ipfs://digits");
    }

    function test_RegisterModel_PrivateWeights() public {
        uint256 id = _registerAsAdmin(_privateParams());
        IModelRegistry.Model memory m = registry.getModel(id);
        assertTrue(m.privateWeights);
        assertEq(m.weightsCommitment, WEIGHTS);
        assertEq(m.verifier, address(privateVerifier));
    }

    /// @dev The largest field element r - 1 is a valid weights commitment.
    function test_RegisterModel_PrivateWeightsCommitmentRMinusOne() public {
        IModelRegistry.ModelParams memory p = _privateParams();
        p.weightsCommitment = R - 1;
        uint256 id = _registerAsAdmin(p);
        assertEq(registry.getModel(id).weightsCommitment, R - 1);
    }

    function test_RegisterModel_TrainingKind() public {
        IModelRegistry.ModelParams memory p = _params();
        p.kind = IModelRegistry.Kind.Training;
        vm.expectEmit(true, true, true, true, address(registry));
        emit IModelRegistry.ModelRegistered(
            1, alice, address(verifier), IModelRegistry.Kind.Training, COMMITMENT, 1, 0, "ipfs://digits"
        );
        uint256 id = _registerAsAdmin(p);
        assertEq(uint8(registry.getModel(id).kind), uint8(IModelRegistry.Kind.Training));
    }

    function test_RegisterModel_IdsIncrementFromOne() public {
        assertEq(_registerAsAdmin(_params()), 1);
        IModelRegistry.ModelParams memory p = _params();
        p.owner = bob;
        assertEq(_registerAsAdmin(p), 2);
        assertEq(registry.modelCount(), 2);
        assertEq(registry.getModel(1).owner, alice);
        assertEq(registry.getModel(2).owner, bob);
    }

    function test_RegisterModel_WorkUnitsAtBounds() public {
        IModelRegistry.ModelParams memory p = _params();
        p.workUnits = 1;
        assertEq(registry.getModel(_registerAsAdmin(p)).workUnits, 1);
        p.workUnits = registry.MAX_WORK_UNITS();
        assertEq(registry.getModel(_registerAsAdmin(p)).workUnits, 1e12);
    }

    /// @dev A registrar other than the admin may register; the model owner is the `owner` parameter, not the caller.
    function test_RegisterModel_ByGrantedRegistrar() public {
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.prank(admin);
        registry.grantRole(role, carol);
        vm.prank(carol);
        uint256 id = registry.registerModel(_params());
        assertEq(registry.getModel(id).owner, alice);
    }

    function testFuzz_RegisterModel_AcceptsMatchingLayout(uint32 inputWords, uint32 outputWords, bool privateWeights)
        public
    {
        inputWords = uint32(bound(inputWords, 1, type(uint32).max));
        outputWords = uint32(bound(outputWords, 1, type(uint32).max));
        MockGroth16Verifier v = new MockGroth16Verifier(uint256(inputWords) + outputWords + (privateWeights ? 1 : 0));
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(v);
        p.inputWords = inputWords;
        p.outputWords = outputWords;
        p.privateWeights = privateWeights;
        p.weightsCommitment = privateWeights ? WEIGHTS : 0;
        IModelRegistry.Model memory m = registry.getModel(_registerAsAdmin(p));
        assertEq(m.inputWords, inputWords);
        assertEq(m.outputWords, outputWords);
        assertEq(m.privateWeights, privateWeights);
    }

    function testFuzz_RevertWhen_RegisterModel_LayoutMismatch(
        uint32 inputWords,
        uint32 outputWords,
        bool privateWeights,
        uint256 count
    ) public {
        uint256 expected = uint256(inputWords) + outputWords + (privateWeights ? 1 : 0);
        // Either a zero word count or a verifier input count that differs from the layout.
        vm.assume(inputWords == 0 || outputWords == 0 || count != expected);
        MockGroth16Verifier v = new MockGroth16Verifier(count);
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(v);
        p.inputWords = inputWords;
        p.outputWords = outputWords;
        p.privateWeights = privateWeights;
        p.weightsCommitment = privateWeights ? WEIGHTS : 0;
        _expectRevertAsAdmin(p, _invalidLayout(inputWords, outputWords, count));
    }

    // ---------------------------------------------------------------- registerModel: access control

    function test_RevertWhen_RegisterModel_NotRegistrar() public {
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        vm.prank(bob);
        registry.registerModel(_params());
        assertEq(registry.modelCount(), 0);
    }

    /// @dev Access control comes first: any non-registrar gets AccessControlUnauthorizedAccount, even with a
    ///      valid layout.
    function testFuzz_RevertWhen_RegisterModel_NotRegistrar(address caller) public {
        vm.assume(caller != admin);
        bytes32 role = registry.REGISTRAR_ROLE();
        IModelRegistry.ModelParams memory p = _params();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
        vm.prank(caller);
        registry.registerModel(p);
        assertEq(registry.modelCount(), 0);
    }

    /// @dev The model owner of an existing model has no registrar rights.
    function test_RevertWhen_RegisterModel_ModelOwnerNotRegistrar() public {
        uint256 id = _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _params();
        p.previous = SafeCast.toUint64(id);
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        registry.registerModel(p);
    }

    function test_RevertWhen_RegisterModel_RegistrarRevoked() public {
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.startPrank(admin);
        registry.grantRole(role, carol);
        registry.revokeRole(role, carol);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, role));
        vm.prank(carol);
        registry.registerModel(_params());
    }

    // ---------------------------------------------------------------- registerModel: verifier, owner, work units

    function test_RevertWhen_RegisterModel_VerifierHasNoCode() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = bob;
        _expectRevertAsAdmin(p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidVerifier.selector, bob));
    }

    function test_RevertWhen_RegisterModel_VerifierIsZero() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(0);
        _expectRevertAsAdmin(
            p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidVerifier.selector, address(0))
        );
    }

    function test_RevertWhen_RegisterModel_ZeroOwner() public {
        IModelRegistry.ModelParams memory p = _params();
        p.owner = address(0);
        _expectRevertAsAdmin(p, abi.encodeWithSelector(IModelRegistry.ModelRegistryZeroOwner.selector));
    }

    function test_RevertWhen_RegisterModel_ZeroWorkUnits() public {
        IModelRegistry.ModelParams memory p = _params();
        p.workUnits = 0;
        _expectRevertAsAdmin(p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidWorkUnits.selector, 0));
    }

    function test_RevertWhen_RegisterModel_WorkUnitsAboveMax() public {
        IModelRegistry.ModelParams memory p = _params();
        p.workUnits = 1e12 + 1;
        _expectRevertAsAdmin(
            p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidWorkUnits.selector, uint64(1e12 + 1))
        );
    }

    function testFuzz_RevertWhen_RegisterModel_WorkUnitsAboveMax(uint64 workUnits) public {
        workUnits = uint64(bound(workUnits, uint256(1e12) + 1, type(uint64).max));
        IModelRegistry.ModelParams memory p = _params();
        p.workUnits = workUnits;
        _expectRevertAsAdmin(
            p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidWorkUnits.selector, workUnits)
        );
    }

    // ---------------------------------------------------------------- registerModel: weights commitment

    function test_RevertWhen_RegisterModel_PrivateWeightsZeroCommitment() public {
        IModelRegistry.ModelParams memory p = _privateParams();
        p.weightsCommitment = 0;
        _expectRevertAsAdmin(
            p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidWeightsCommitment.selector, 0)
        );
    }

    function test_RevertWhen_RegisterModel_PrivateWeightsCommitmentIsR() public {
        IModelRegistry.ModelParams memory p = _privateParams();
        p.weightsCommitment = R;
        _expectRevertAsAdmin(
            p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidWeightsCommitment.selector, R)
        );
    }

    function testFuzz_RevertWhen_RegisterModel_PrivateWeightsCommitmentNotInField(uint256 wc) public {
        wc = bound(wc, R, type(uint256).max);
        IModelRegistry.ModelParams memory p = _privateParams();
        p.weightsCommitment = wc;
        _expectRevertAsAdmin(
            p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidWeightsCommitment.selector, wc)
        );
    }

    function testFuzz_RevertWhen_RegisterModel_PublicWeightsNonzeroCommitment(uint256 wc) public {
        wc = bound(wc, 1, type(uint256).max);
        IModelRegistry.ModelParams memory p = _params();
        p.weightsCommitment = wc;
        _expectRevertAsAdmin(
            p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidWeightsCommitment.selector, wc)
        );
    }

    // ---------------------------------------------------------------- registerModel: layout

    function test_RevertWhen_RegisterModel_ZeroInputWords() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(new MockGroth16Verifier(1)); // 0 + 1: the count alone would match
        p.inputWords = 0;
        _expectRevertAsAdmin(p, _invalidLayout(0, 1, 1));
    }

    function test_RevertWhen_RegisterModel_ZeroOutputWords() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(new MockGroth16Verifier(3)); // 3 + 0: the count alone would match
        p.outputWords = 0;
        _expectRevertAsAdmin(p, _invalidLayout(3, 0, 3));
    }

    function test_RevertWhen_RegisterModel_VerifierCountTooSmall() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(new MockGroth16Verifier(3)); // forgets the output word
        _expectRevertAsAdmin(p, _invalidLayout(3, 1, 3));
    }

    /// @dev The payee shares the last output word: a verifier built for a separate prover word (the old layout,
    ///      input + output + 1) has one input too many and is refused, for public and private weights.
    function test_RevertWhen_RegisterModel_VerifierWithSeparateProverWord() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(new MockGroth16Verifier(3 + 1 + 1));
        _expectRevertAsAdmin(p, _invalidLayout(3, 1, 5));
        p = _privateParams();
        p.verifier = address(new MockGroth16Verifier(3 + 1 + 1 + 1));
        _expectRevertAsAdmin(p, _invalidLayout(3, 1, 6));
    }

    /// @dev The layout check is exact: input + output (+ 1 with private weights), nothing more.
    function test_RegisterModel_LayoutCountHasNoProverWord() public {
        assertEq(registry.getModel(_registerAsAdmin(_params())).outputWords, 1);
        assertEq(verifier.publicInputCount(), 3 + 1);
        assertEq(registry.getModel(_registerAsAdmin(_privateParams())).inputWords, 3);
        assertEq(privateVerifier.publicInputCount(), 3 + 1 + 1);
    }

    /// @dev A public-weight model on a verifier that also expects a weights commitment.
    function test_RevertWhen_RegisterModel_PublicWeightsOnPrivateVerifier() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(privateVerifier);
        _expectRevertAsAdmin(p, _invalidLayout(3, 1, 5));
    }

    /// @dev Private weights need the +1 for the weights commitment: a 4-input verifier is one short.
    function test_RevertWhen_RegisterModel_PrivateWeightsMissingCommitmentInput() public {
        IModelRegistry.ModelParams memory p = _privateParams();
        p.verifier = address(verifier);
        _expectRevertAsAdmin(p, _invalidLayout(3, 1, 4));
    }

    // ---------------------------------------------------------------- registerModel: versions

    function test_RegisterModel_NewVersionIncrementsAndRecordsPrevious() public {
        uint256 v1 = _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _params();
        p.previous = SafeCast.toUint64(v1);
        p.commitment = keccak256("model file v2");
        p.metadataURI = "ipfs://digits-v2";

        vm.expectEmit(true, true, true, true, address(registry));
        emit IModelRegistry.ModelRegistered(
            2,
            alice,
            address(verifier),
            IModelRegistry.Kind.Inference,
            p.commitment,
            2,
            SafeCast.toUint64(v1),
            "ipfs://digits-v2"
        );
        uint256 v2 = _registerAsAdmin(p);

        p.previous = SafeCast.toUint64(v2);
        p.commitment = keccak256("model file v3");
        uint256 v3 = _registerAsAdmin(p);

        assertEq(registry.getModel(v1).version, 1);
        assertEq(registry.getModel(v2).version, 2);
        assertEq(registry.getModel(v2).previous, v1);
        assertEq(registry.getModel(v3).version, 3);
        assertEq(registry.getModel(v3).previous, v2);
        assertEq(registry.getModel(v3).commitment, keccak256("model file v3"));
        // Registering a new version does not deprecate the previous one.
        assertTrue(registry.getModel(v1).active);
        assertTrue(registry.getModel(v2).active);
    }

    /// @dev A new version may change the verifier and the weight visibility; only kind and owner are pinned.
    function test_RegisterModel_NewVersionMayChangeVerifierAndWeights() public {
        uint256 v1 = _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _privateParams();
        p.previous = SafeCast.toUint64(v1);
        IModelRegistry.Model memory m = registry.getModel(_registerAsAdmin(p));
        assertEq(m.version, 2);
        assertEq(m.verifier, address(privateVerifier));
        assertTrue(m.privateWeights);
    }

    function test_RevertWhen_RegisterModel_PreviousUnknown() public {
        _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _params();
        p.previous = 99;
        _expectRevertAsAdmin(p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidPrevious.selector, 99));
    }

    function test_RevertWhen_RegisterModel_PreviousDeprecated() public {
        uint256 v1 = _registerAsAdmin(_params());
        vm.prank(alice);
        registry.deprecateModel(v1);
        IModelRegistry.ModelParams memory p = _params();
        p.previous = SafeCast.toUint64(v1);
        _expectRevertAsAdmin(p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidPrevious.selector, v1));
    }

    function test_RevertWhen_RegisterModel_PreviousDifferentKind() public {
        uint256 v1 = _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _params();
        p.kind = IModelRegistry.Kind.Training;
        p.previous = SafeCast.toUint64(v1);
        _expectRevertAsAdmin(p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidPrevious.selector, v1));
    }

    function test_RevertWhen_RegisterModel_PreviousDifferentOwner() public {
        uint256 v1 = _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _params();
        p.owner = bob;
        p.previous = SafeCast.toUint64(v1);
        _expectRevertAsAdmin(p, abi.encodeWithSelector(IModelRegistry.ModelRegistryInvalidPrevious.selector, v1));
    }

    // ---------------------------------------------------------------- deprecateModel

    function test_DeprecateModel_ByModelOwner() public {
        uint256 id = _registerAsAdmin(_params());
        assertFalse(registry.hasRole(registry.REGISTRAR_ROLE(), alice));
        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelDeprecated(id);
        vm.prank(alice);
        registry.deprecateModel(id);

        IModelRegistry.Model memory m = registry.getModel(id);
        assertFalse(m.active);
        // Everything else stays readable and unchanged.
        assertEq(m.verifier, address(verifier));
        assertEq(m.owner, alice);
        assertEq(m.commitment, COMMITMENT);
    }

    function test_DeprecateModel_ByRegistrarNotModelOwner() public {
        uint256 id = _registerAsAdmin(_params());
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.prank(admin);
        registry.grantRole(role, carol);

        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelDeprecated(id);
        vm.prank(carol);
        registry.deprecateModel(id);
        assertFalse(registry.getModel(id).active);
    }

    function test_DeprecateModel_OnlyThatModel() public {
        uint256 a = _registerAsAdmin(_params());
        uint256 b = _registerAsAdmin(_params());
        vm.prank(alice);
        registry.deprecateModel(a);
        assertFalse(registry.getModel(a).active);
        assertTrue(registry.getModel(b).active);
    }

    function test_RevertWhen_DeprecateModel_Stranger() public {
        uint256 id = _registerAsAdmin(_params());
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNotModelOwner.selector, id, bob));
        vm.prank(bob);
        registry.deprecateModel(id);
        assertTrue(registry.getModel(id).active);
    }

    function testFuzz_RevertWhen_DeprecateModel_Stranger(address stranger) public {
        vm.assume(stranger != alice && stranger != admin);
        uint256 id = _registerAsAdmin(_params());
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNotModelOwner.selector, id, stranger));
        vm.prank(stranger);
        registry.deprecateModel(id);
        assertTrue(registry.getModel(id).active);
    }

    /// @dev Owning one model gives no right over another.
    function test_RevertWhen_DeprecateModel_OwnerOfOtherModel() public {
        _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _params();
        p.owner = bob;
        uint256 bobs = _registerAsAdmin(p);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNotModelOwner.selector, bobs, alice));
        vm.prank(alice);
        registry.deprecateModel(bobs);
    }

    function test_RevertWhen_DeprecateModel_AlreadyDeprecated() public {
        uint256 id = _registerAsAdmin(_params());
        vm.prank(alice);
        registry.deprecateModel(id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryAlreadyDeprecated.selector, id));
        vm.prank(alice);
        registry.deprecateModel(id);
        // By the registrar too.
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryAlreadyDeprecated.selector, id));
        vm.prank(admin);
        registry.deprecateModel(id);
    }

    /// @dev Rights are checked before state: a stranger gets NotModelOwner even on a deprecated model.
    function test_RevertWhen_DeprecateModel_StrangerOnDeprecated() public {
        uint256 id = _registerAsAdmin(_params());
        vm.prank(admin);
        registry.deprecateModel(id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryNotModelOwner.selector, id, bob));
        vm.prank(bob);
        registry.deprecateModel(id);
    }

    function test_RevertWhen_DeprecateModel_UnknownModel() public {
        _registerAsAdmin(_params());
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 7));
        vm.prank(admin);
        registry.deprecateModel(7);
    }

    // ---------------------------------------------------------------- getModel / modelCount

    function test_RevertWhen_GetModel_IdZero() public {
        _registerAsAdmin(_params());
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 0));
        registry.getModel(0);
    }

    function testFuzz_RevertWhen_GetModel_UnknownId(uint256 id) public {
        _registerAsAdmin(_params());
        vm.assume(id != 1);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, id));
        registry.getModel(id);
    }

    function test_ModelCount_UnchangedByFailedRegistration() public {
        _registerAsAdmin(_params());
        IModelRegistry.ModelParams memory p = _params();
        p.workUnits = 0;
        vm.prank(admin);
        try registry.registerModel(p) {
            fail();
        } catch {}
        assertEq(registry.modelCount(), 1);
        assertEq(_registerAsAdmin(_params()), 2);
    }

    // ---------------------------------------------------------------- admin transfer

    function test_AdminTransfer_TwoStepWithDelay() public {
        vm.prank(admin);
        registry.beginDefaultAdminTransfer(bob);
        (address pending, uint48 schedule) = registry.pendingDefaultAdmin();
        assertEq(pending, bob);
        assertEq(schedule, block.timestamp + ADMIN_DELAY);
        assertEq(registry.defaultAdmin(), admin, "admin unchanged until accepted");

        // Too early: the schedule must have passed (strictly).
        vm.warp(schedule);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector, schedule
            )
        );
        vm.prank(bob);
        registry.acceptDefaultAdminTransfer();

        // Only the pending admin may accept.
        vm.warp(uint256(schedule) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, carol)
        );
        vm.prank(carol);
        registry.acceptDefaultAdminTransfer();

        vm.prank(bob);
        registry.acceptDefaultAdminTransfer();
        assertEq(registry.defaultAdmin(), bob);
        assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), bob));
        assertFalse(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin));

        // The new admin grants the registrar role, and the new registrar registers.
        bytes32 role = registry.REGISTRAR_ROLE();
        vm.prank(bob);
        registry.grantRole(role, carol);
        vm.prank(carol);
        uint256 id = registry.registerModel(_params());
        assertEq(id, 1);

        // The old admin can no longer grant roles.
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, adminRole)
        );
        vm.prank(admin);
        registry.grantRole(role, alice);
    }

    /// @dev The registrar role is separate from the admin role: the old admin keeps it until the new admin
    ///      revokes it.
    function test_AdminTransfer_NewAdminRevokesOldRegistrar() public {
        vm.prank(admin);
        registry.beginDefaultAdminTransfer(bob);
        skip(uint256(ADMIN_DELAY) + 1);
        vm.prank(bob);
        registry.acceptDefaultAdminTransfer();

        bytes32 role = registry.REGISTRAR_ROLE();
        assertTrue(registry.hasRole(role, admin));
        vm.prank(bob);
        registry.revokeRole(role, admin);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        registry.registerModel(_params());
    }

    function test_RevertWhen_BeginAdminTransfer_NotAdmin() public {
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, adminRole)
        );
        vm.prank(bob);
        registry.beginDefaultAdminTransfer(bob);
    }

    /// @dev The admin role can only move through the two-step transfer.
    function test_RevertWhen_GrantRole_DefaultAdminDirectly() public {
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        vm.prank(admin);
        registry.grantRole(adminRole, bob);
    }
}
