"""A deployed DAO and everything it does, as calls on its contracts: deploying it (`deploy`), binding a deployment
record to a chain (`deployed.Dao`), proposals as data (`actions`), proposals and votes (`governance`), the model
lifecycle (`registry`), balances, delegation and rewards (`token`), and the DAO changing itself (`changes`).

Each function reads or prepares; nothing here waits, publishes or decides on a user's behalf.
"""
