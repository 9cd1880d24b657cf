"""Step 4 of the e-supervision chain: certificates, their office keys, the IPPC mark, ePhyto."""
