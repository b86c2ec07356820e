/**
 * The built-in preference losses in TRL's names ({@code Losses}), their parameters ({@code LossOptions}), which
 * one a run uses ({@code LossConfig}), and the f-divergences of f-DPO ({@code FDivergence}).
 */
package dev.dpo4j.core.loss;
