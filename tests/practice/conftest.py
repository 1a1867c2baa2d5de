"""The practice app's tests: accounts, access, intake, staff, policy, outbox, break-the-glass."""
