"""The callers tests act as: token claims for `GraphQLClient.execute(as_=...)`, one set for every folder."""

ADMIN = {"sub": "admin-li", "roles": ["admin"]}
ANALYST = {"sub": "analyst-zhao", "roles": ["analyst"]}

# Officials, each acting for their agency.
SPC = {"sub": "judge-wang", "roles": ["authority"], "agency": "SPC"}
NRA = {"sub": "nra-official", "roles": ["authority"], "agency": "NRA"}
STA = {"sub": "sta-official", "roles": ["authority"], "agency": "STA"}
SAMR = {"sub": "samr-official", "roles": ["authority"], "agency": "SAMR"}
AUTHORITY = SAMR

# Consumers, each with the purposes it may check.
AIRLINE = {"sub": "china-eastern", "roles": ["consumer"], "purposes": ["AIR_TRAVEL"]}
RAILWAY = {"sub": "12306", "roles": ["consumer"], "purposes": ["RAIL_TRAVEL"]}
BANK = {"sub": "icbc", "roles": ["consumer"], "purposes": ["LENDING"]}
CONSUMER = AIRLINE


def subject(code: str) -> dict:
    """A subject reading its own file: role `subject`, `sub` its own code."""
    return {"sub": code, "roles": ["subject"]}
