"""The chain side: compile output, local nodes, deployment, the contract client and the indexer."""
