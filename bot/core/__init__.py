"""The neutral core: vocabulary, records, storage ports, the command table and every behaviour. No SQL, no SDKs."""
