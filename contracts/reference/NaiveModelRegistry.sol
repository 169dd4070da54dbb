// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/**
 * @title NaiveModelRegistry
 * @notice Benchmark reference only, never deployed by the DAO: the same facts as {ModelRegistry} recorded the
 * obvious way (CIDs as strings, one uint256 or address per field, no packing), so the gas benchmark can show
 * what the packed layout saves.
 */
contract NaiveModelRegistry is Ownable {
    struct Version {
        string artifactCid;
        string manifestCid;
        address contributor;
        uint256 createdAt;
        uint256 parent;
        uint256 status; // 1 current, 2 superseded, 3 rolled back
    }

    struct Model {
        string name;
        uint256 status; // 1 active, 2 suspended, 3 retired
        uint256 currentVersion;
        uint256 latestVersion;
        string retireReason;
    }

    address public guardian;
    bytes32[] public modelIds;
    mapping(bytes32 => Model) public models;
    mapping(bytes32 => mapping(uint256 => Version)) public versions;

    /// @notice A model was registered.
    event ModelRegistered(bytes32 indexed modelId, string name);
    /// @notice A version was added.
    event VersionPublished(bytes32 indexed modelId, uint256 indexed version, string artifactCid, string manifestCid);
    /// @notice The current version changed.
    event CurrentVersionChanged(bytes32 indexed modelId, uint256 previous, uint256 current);
    /// @notice A model was retired.
    event ModelRetired(bytes32 indexed modelId, string reason);

    /// @dev The request does not fit the model's state.
    error NaiveModelRegistryInvalid();

    /// @param owner_ The timelock.
    constructor(address owner_) Ownable(owner_) {}

    /// @notice Registers a model with its version 1.
    function register(
        string calldata name,
        string calldata artifactCid,
        string calldata manifestCid,
        address contributor
    ) external onlyOwner {
        bytes32 id = keccak256(bytes(name));
        if (models[id].status != 0 || bytes(name).length == 0) revert NaiveModelRegistryInvalid();
        models[id] = Model(name, 1, 1, 1, "");
        modelIds.push(id);
        versions[id][1] = Version(artifactCid, manifestCid, contributor, block.timestamp, 0, 1);
        emit ModelRegistered(id, name);
        emit VersionPublished(id, 1, artifactCid, manifestCid);
        emit CurrentVersionChanged(id, 0, 1);
    }

    /// @notice Adds a version and makes it current.
    function upgrade(
        bytes32 id,
        string calldata artifactCid,
        string calldata manifestCid,
        address contributor
    ) external onlyOwner {
        Model storage model = models[id];
        if (model.status == 0 || model.status == 3) revert NaiveModelRegistryInvalid();
        uint256 previous = model.currentVersion;
        uint256 version = model.latestVersion + 1;
        versions[id][previous].status = 2;
        versions[id][version] = Version(artifactCid, manifestCid, contributor, block.timestamp, previous, 1);
        model.latestVersion = version;
        model.currentVersion = version;
        emit VersionPublished(id, version, artifactCid, manifestCid);
        emit CurrentVersionChanged(id, previous, version);
    }

    /// @notice Makes an earlier version current again.
    function rollback(bytes32 id, uint256 target) external onlyOwner {
        Model storage model = models[id];
        uint256 previous = model.currentVersion;
        if (model.status == 0 || model.status == 3 || target == 0 || target >= previous) {
            revert NaiveModelRegistryInvalid();
        }
        versions[id][previous].status = 3;
        versions[id][target].status = 1;
        model.currentVersion = target;
        emit CurrentVersionChanged(id, previous, target);
    }

    /// @notice Retires a model.
    function retire(bytes32 id, string calldata reason) external onlyOwner {
        Model storage model = models[id];
        if (model.status == 0 || model.status == 3) revert NaiveModelRegistryInvalid();
        model.status = 3;
        model.retireReason = reason;
        emit ModelRetired(id, reason);
    }
}
