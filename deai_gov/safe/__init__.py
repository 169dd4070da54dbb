"""Safe multisigs acting for the DAO's users: any library transaction made as a Safe transaction, its owners'
EIP-712 signatures, and its execution (`transaction`); batches as Safe{Wallet}'s Transaction Builder files, with the
app's checksum (`txbuilder`)."""
