"""Member democracy by the bylaws (OCEC art. III-VI) and the code of ethics (SEC seed 000).

Pure rules, no clock and no database: meeting windows and quorum (:mod:`.meetings`),
nominating petitions (:mod:`.petitions`), plurality with ties settled by a coin toss
(:mod:`.elections`), the board's quorum and absences (:mod:`.board`) and where a member
resides for voting (:mod:`.districts`). The numbers come from the co-op profile's
``[governance]`` table (:class:`.rules.GovernanceRules`).
"""
