"""Names shared by the algorithms, the checkpoint checks and the test helpers."""

#: Top-level parts of an mmseg ``EncoderDecoder``, in forward order (also the key prefixes of its state dict).
SEGMENTOR_PARTS = ('backbone', 'neck', 'decode_head', 'auxiliary_head')

#: Attributes of mmkdseg's algorithms that hold segmentors (``model.<role>`` in a config): the student
#: (``architecture``, mmrazor's name) and the teacher(s).
SEGMENTOR_ROLES = ('architecture', 'teacher', 'teacher_wide', 'teacher_deep')

#: The other trainable or stateful parts of an algorithm's state dict.
ALGORITHM_PARTS = ('distiller', 'discriminator')
