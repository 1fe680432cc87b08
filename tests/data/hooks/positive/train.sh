#!/bin/sh
accelerate launch train.py
