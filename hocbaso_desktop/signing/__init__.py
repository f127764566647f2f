"""Signing: PKCS#11 tokens, XAdES signatures over record XML, verification and the trust store.

Qt-free and database-free. Every PKCS#11 call runs on one token lane; services call the functions
re-exported at the bottom of this package (see each module for details).
"""
