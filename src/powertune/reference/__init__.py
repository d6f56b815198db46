"""The reference stack: packaging the items API (`app/`), running its Terraform, deploying it.

It takes the app folder and the Terraform folder as arguments (`folders` finds the
repository's own when they are not given) and deploys to a running local cloud, so
`localcloud` stays the emulator only.
"""
