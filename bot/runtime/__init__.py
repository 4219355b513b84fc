"""The process runtime: the asyncio runner, scheduler tick, health, metrics, logging and doctor."""
