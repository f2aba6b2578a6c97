"""Opcodes of the simulator's stack bytecode (one int32 opcode and one int32 argument
per instruction), shared by the compiler, the kernel's evaluator and the truth tables.

>>> OP_CONST, OP_VAR
(0, 1)
"""
(OP_CONST, OP_VAR, OP_LOGIC, OP_NOT, OP_AND, OP_OR, OP_XOR, OP_IMPLIES, OP_CMP, OP_ARITH, OP_NEG, OP_IFTE,
 OP_CALL) = range(13)
