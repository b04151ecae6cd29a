from .class_fraction_classifier import ClassFractionClassifier

__all__ = ['ClassFractionClassifier']
