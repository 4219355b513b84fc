"""Skillbot: a mentoring bot for AI engineering on Slack, Discord and the console."""
