using Gantry.Testing.Replicas;

namespace Gantry.EndToEnd.Replicas;

/// <summary>The replica tests share one cluster and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicaClusterDefinition : ICollectionFixture<ReplicaCluster>
{
    public const string Name = "replicas";
}
