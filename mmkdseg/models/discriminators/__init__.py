from .skd_discriminator import SelfAttention, SKDDiscriminator

__all__ = ['SelfAttention', 'SKDDiscriminator']
